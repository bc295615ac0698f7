#pragma once

#include <string>
#include <vector>

#include "common/error.h"

namespace msb::agent {

// The whole agent: guest init (as PID 1 of a VM) or channel mode (--channel-fd), then the
// event loop. Returns the process exit code; in a VM it never returns.
Result<int> agentd_main(const std::vector<std::string>& args);

}  // namespace msb::agent
