#include "image/digest.h"

#include <fcntl.h>

#include <array>

#include "common/hex.h"
#include "os/file.h"
#include "os/io.h"
#include "os/libcrypto_api.h"

namespace msb::image {

void Sha256::Deleter::operator()(evp_md_ctx_st* context) const {
  os::libcrypto().md_ctx_free(context);
}

Result<void> Sha256::available() {
  return os::libcrypto_api().transform([](auto) {});
}

Sha256::Sha256() : context_(os::libcrypto().md_ctx_new()) {
  const os::LibcryptoApi& crypto = os::libcrypto();
  MSB_CHECK(context_ != nullptr);
  MSB_CHECK(crypto.digest_init(context_.get(), crypto.sha256(), nullptr) == 1);
}

void Sha256::update(const void* data, size_t size) {
  MSB_CHECK(os::libcrypto().digest_update(context_.get(), data, size) == 1);
}

std::string Sha256::finish() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  MSB_CHECK(os::libcrypto().digest_final(context_.get(), digest.data(), &length) == 1);
  return "sha256:" +
         hex_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

Result<std::string> sha256_file(const std::string& path) {
  MSB_TRY(Sha256::available());
  os::Fd fd = MSB_TRY(os::open_file(path, O_RDONLY));
  Sha256 hash;
  std::array<char, 1 << 16> buffer{};
  while (true) {
    size_t got = MSB_TRY(os::read_some(fd.get(), buffer).context("read {}", path));
    if (got == 0) break;
    hash.update(buffer.data(), got);
  }
  return hash.finish();
}

}  // namespace msb::image
