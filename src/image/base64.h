// Base64 (RFC 4648, standard alphabet, padded) for Basic auth and Docker's config.json.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace msb::image {

std::string base64_encode(std::string_view data);
// nullopt when `text` is not padded standard base64. Whitespace is not allowed.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace msb::image
