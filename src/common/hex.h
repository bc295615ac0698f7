// Bytes as lowercase hex digits, and back: how the host hands a value that may hold any
// byte (a user's hostname) through a channel that only carries plain words, such as the
// guest kernel's command line.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace msb {

// Two lowercase hex digits per byte, in order; "" for "". Never fails; thread-safe.
std::string hex_encode(std::string_view bytes);

// The inverse of hex_encode(): an even number of the characters 0-9 a-f. Anything else
// (an odd length, upper case, any other character) is kInvalidArgument, with a message that
// says which; the offending text is not quoted (it may be hostile). Thread-safe.
[[nodiscard]] Result<std::string> hex_decode(std::string_view text);

}  // namespace msb
