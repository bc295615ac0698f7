// UTF-8 checks for text that crosses into JSON, which must be valid Unicode.
#pragma once

#include <string_view>

namespace msb {

// Whether `text` is well-formed UTF-8: no stray continuation bytes, no overlong forms, no
// surrogates, nothing past U+10FFFF. Linear in the length.
bool valid_utf8(std::string_view text);

}  // namespace msb
