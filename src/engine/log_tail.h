// The end of a log file, for boot failure reports.
#pragma once

#include <cstddef>
#include <string>

namespace msb::engine {

// The last `count` lines of the file at `path` without trailing newlines; "" when the file
// is missing or empty.
std::string last_lines_of_file(const std::string& path, size_t count);

}  // namespace msb::engine
