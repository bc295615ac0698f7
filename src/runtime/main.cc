// msb-runtime: the per-sandbox supervisor. All logic is in runtime_main.cc.
#include <cstdio>

#include "runtime/runtime_main.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  msb::Result<int> code = msb::runtime::runtime_main(args);
  if (!code) {
    std::fprintf(stderr, "msb-runtime: %s\n", code.error().message.c_str());
    return 2;
  }
  return *code;
}
