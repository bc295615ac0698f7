// msb: the command-line interface. All logic is in cli_main.cc.
#include "cli/cli_main.h"

int main(int argc, char** argv) {
  return msb::cli::cli_main(std::vector<std::string>(argv + 1, argv + argc));
}
