// The launch that the supervisor (SandboxRuntime) and a foreground `msb run` share: the
// LaunchSpec a sandbox config asks for, the wait for the agent's core.ready, and the
// forwarding of guest output to a host descriptor. Keeping one copy means both paths boot
// the same sandbox from the same config and report a failed boot the same way.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "config/sandbox_config.h"
#include "engine/engine.h"
#include "protocol/messages.h"
#include "runtime/agent_session.h"

namespace msb::runtime {

// Where a run keeps its files (all directories exist) and what it is called.
struct LaunchPlace {
  std::string runtime_dir;     // logs and engine files
  std::string console_log;     // "" = <runtime_dir>/console.log
  std::string run_dir;         // files that must not outlive the run
  std::string writable_layer;  // Engine::writable_layer_path(); unused for a tmpfs root disk
  std::string instance_name;   // unique per run (cgroups are host-wide)
};

// The LaunchSpec of a sandbox with `config` (validated and normalized) booting the root
// `rootfs_layers` at `place`. `ephemeral`: the writable layer goes when the run ends. A
// config with a tmpfs root disk gets root_tmpfs_bytes and no writable_layer.
// Errors: kInvalidConfig (an accelerator name that does not parse). Thread-safe.
Result<engine::LaunchSpec> launch_spec_for(const config::SandboxConfig& config,
                                           std::vector<std::string> rootfs_layers,
                                           LaunchPlace place, bool ephemeral);

// Waits up to `timeout` for core.ready on `session`. Errors: kBootFailed ("boot failed:
// ..." followed by the tail of the console and engine logs), kCancelled (a signal on the
// session's interrupts; sys_errno = the signal), kProtocol. Not thread-safe.
Result<protocol::CoreReady> await_ready(AgentSession& session, const engine::Instance& instance,
                                        std::chrono::milliseconds timeout);

// Writes guest output (`stream` is "stdout" or "stderr") to `fd`. A reader that went away
// (`msb run ... | head`) is kCancelled with sys_errno SIGPIPE, the way SIGPIPE ends a
// shell pipeline; other write failures are kIo. Thread-safe.
Result<void> forward_output(int fd, std::string_view data, std::string_view stream);

}  // namespace msb::runtime
