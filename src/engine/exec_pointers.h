// The NULL-terminated pointer array execve(2) takes, built before a fork or clone: the child
// may not allocate.
#pragma once

#include <string>
#include <vector>

namespace msb::engine {

// Pointers to each string's bytes, then nullptr. Valid while `strings` is not changed.
inline std::vector<char*> exec_pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace msb::engine
