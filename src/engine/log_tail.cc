#include "engine/log_tail.h"

#include "os/file.h"

namespace msb::engine {

std::string last_lines_of_file(const std::string& path, size_t count) {
  Result<std::string> text = os::read_file(path);
  if (!text || text->empty()) return "";
  size_t end = text->size();
  while (end > 0 && ((*text)[end - 1] == '\n' || (*text)[end - 1] == '\r')) --end;
  size_t start = end;
  for (size_t found = 0; start > 0; --start) {
    if ((*text)[start - 1] == '\n' && ++found == count) break;
  }
  return text->substr(start, end - start);
}

}  // namespace msb::engine
