// The $MSB_HOME layout (see docs/architecture.md, "State").
#pragma once

#include <string>

namespace msb {

// $MSB_HOME, defaulting to $HOME/.microsandbox.
std::string msb_home();
// $MSB_HOME/run: per-sandbox runtime directories (sockets, disks of ephemeral runs).
std::string msb_run_dir();

}  // namespace msb
