// Starting a sandbox's supervisor (msb-runtime) and waiting until it reports the sandbox
// up, or why it could not come up.
#pragma once

#include <chrono>
#include <string>

#include "common/error.h"
#include "os/fd.h"

namespace msb::sdk {

struct SpawnedSupervisor {
  int pid = 0;
  os::Fd watchdog;  // attached mode: closing it stops the sandbox; invalid when detached
};

// The msb-runtime binary: $MSB_RUNTIME, else next to the running executable, else $PATH.
// Errors: kNotFound.
Result<std::string> find_runtime_binary();

// Spawns the supervisor of the (recorded, prepared) sandbox `name` and waits up to
// `timeout` for its startup report. Errors: the kind the supervisor reported
// (kBootFailed, kInvalidConfig, kImageNotFound, ...), kTimeout, kNotFound (binary).
Result<SpawnedSupervisor> spawn_supervisor(const std::string& name, bool attached,
                                           std::chrono::milliseconds timeout);

}  // namespace msb::sdk
