// Text a user gave, as it appears quoted in a message: control bytes as \xNN, so that a
// hostile name cannot drive the terminal that shows the error.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace msb {

// `text` with bytes below 0x20 and 0x7f written as \xNN; longer than `max_bytes`, it is cut
// there and "..." appended. Thread-safe.
std::string shown(std::string_view text, size_t max_bytes = std::string_view::npos);

}  // namespace msb
