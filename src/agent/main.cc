// msb-agentd: the guest agent (PID 1 in a VM). All logic is in agentd.cc.
#include <cstdio>

#include "agent/agentd.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  msb::Result<int> code = msb::agent::agentd_main(args);
  if (!code) {
    std::fprintf(stderr, "msb-agentd: %s\n", code.error().message.c_str());
    return 1;
  }
  return *code;
}
