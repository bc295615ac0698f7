#include "image/digest.h"

#include <fcntl.h>
#include <openssl/evp.h>

#include <array>

#include "os/file.h"
#include "os/io.h"

namespace msb::image {

void Sha256::Deleter::operator()(evp_md_ctx_st* context) const { EVP_MD_CTX_free(context); }

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  MSB_CHECK(context_ != nullptr);
  MSB_CHECK(EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) == 1);
}

void Sha256::update(const void* data, size_t size) {
  MSB_CHECK(EVP_DigestUpdate(context_.get(), data, size) == 1);
}

std::string Sha256::finish() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  MSB_CHECK(EVP_DigestFinal_ex(context_.get(), digest.data(), &length) == 1);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = "sha256:";
  for (unsigned int i = 0; i < length; ++i) {
    text += kHex[digest[i] >> 4];
    text += kHex[digest[i] & 0xf];
  }
  return text;
}

Result<std::string> sha256_file(const std::string& path) {
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
