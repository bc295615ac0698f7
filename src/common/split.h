// Splitting text at a separator, keeping empty parts: "a,,b" -> {"a", "", "b"}.
#pragma once

#include <string_view>
#include <vector>

namespace msb {

// The parts of `text` between the separators; one part (the whole text) when there is
// none. The views point into `text`. Thread-safe.
inline std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (;;) {
    const size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

}  // namespace msb
