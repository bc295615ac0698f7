// Base64 (RFC 4648, standard alphabet, padded) for Basic auth, Docker's config.json and the
// content of rootfs patches in a stored sandbox config.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace msb {

std::string base64_encode(std::string_view data);
// nullopt when `text` is not padded standard base64. Whitespace is not allowed.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace msb
