#include "cli/out.h"

namespace msb::cli {

void print_error(const Error& error, const std::string& hint) {
  std::string message = error.message;
  while (!message.empty() && message.back() == '\n') message.pop_back();
  fmt::print(stderr, "msb: error: {}\n", message);
  if (!hint.empty()) fmt::print(stderr, "hint: {}\n", hint);
}

}  // namespace msb::cli
