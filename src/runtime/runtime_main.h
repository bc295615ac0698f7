// msb-runtime's entry point: `msb-runtime --name NAME [--status-fd N] [--watchdog-fd N]`.
// Started by the SDK (never by hand): it forks into the background, so its starter reaps
// it at once and the supervisor lives on, then boots and supervises the sandbox.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"

namespace msb::runtime {

struct RuntimeArgs {
  std::string name;
  int status_fd = -1;
  int watchdog_fd = -1;
};
// Errors: kInvalidArgument with what was wrong.
Result<RuntimeArgs> parse_runtime_args(const std::vector<std::string>& args);

Result<int> runtime_main(const std::vector<std::string>& args);

}  // namespace msb::runtime
