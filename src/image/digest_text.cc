#include "image/digest_text.h"

namespace msb::image {

bool is_valid_digest(std::string_view digest) {
  static constexpr std::string_view kPrefix = "sha256:";
  if (digest.size() != kPrefix.size() + 64 || !digest.starts_with(kPrefix)) return false;
  for (char c : digest.substr(kPrefix.size())) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!hex) return false;
  }
  return true;
}

Result<std::string> digest_hex(std::string_view digest) {
  if (!is_valid_digest(digest)) {
    return err(ErrorKind::kInvalidArgument,
               "invalid digest \"{}\" (want sha256:<64 lowercase hex>)", digest);
  }
  return std::string(digest.substr(7));
}

}  // namespace msb::image
