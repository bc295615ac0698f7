// A guard for JSON from untrusted peers: nlohmann-json parses and frees deep nesting
// without recursion, but copies and dumps recurse, so a body of a few hundred KB of "[[[["
// could overflow the stack of whoever handles it. Checked on the text, before parsing.
#pragma once

#include <cstddef>
#include <string_view>

namespace msb {

// Whether arrays and objects in `text` nest deeper than `limit` (brackets inside strings
// do not count). Linear, no allocation; meant for text that is then parsed as JSON.
bool json_nests_deeper_than(std::string_view text, size_t limit);

// The depth every JSON message we take from outside may reach.
inline constexpr size_t kMaxJsonDepth = 64;

}  // namespace msb
