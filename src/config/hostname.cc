#include "config/hostname.h"

#include "common/error.h"
#include "common/hex.h"
#include "os/libcrypto_api.h"

namespace msb::config {
namespace {

constexpr size_t kMaxHostnameBytes = 64;
constexpr size_t kPrefixBytes = 55;  // + '-' + 8 hex digits = 64
constexpr size_t kMaxUtf8ContinuationBytes = 3;

bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The largest cut <= `limit` that does not split a UTF-8 sequence. REQUIRES: limit < size.
size_t utf8_boundary_at_most(std::string_view text, size_t limit) {
  size_t cut = limit;
  while (cut > 0 && limit - cut < kMaxUtf8ContinuationBytes && is_utf8_continuation(text[cut])) {
    --cut;
  }
  // More continuation bytes in a row than UTF-8 allows: not UTF-8, there is no boundary.
  return is_utf8_continuation(text[cut]) ? limit : cut;
}

std::string sha256_hex_prefix(std::string_view data, size_t hex_digits) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  const os::LibcryptoApi& crypto = os::libcrypto();
  int ok = crypto.digest(data.data(), data.size(), digest, &digest_size, crypto.sha256(), nullptr);
  MSB_CHECK(ok == 1 && digest_size * 2 >= hex_digits);
  std::string_view bytes(reinterpret_cast<const char*>(digest), (hex_digits + 1) / 2);
  return hex_encode(bytes).substr(0, hex_digits);
}

}  // namespace

std::string derive_hostname(std::string_view name) {
  if (name.size() <= kMaxHostnameBytes) return std::string(name);
  size_t cut = utf8_boundary_at_most(name, kPrefixBytes);
  return std::string(name.substr(0, cut)) + "-" + sha256_hex_prefix(name, 8);
}

}  // namespace msb::config
