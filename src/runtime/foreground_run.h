// Foreground run: boot a sandbox, run one command with its output streamed live, shut the
// sandbox down. This is `msb run` for unnamed sandboxes; it owns the engine instance for
// its whole life, so nothing outlives it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "common/error.h"
#include "config/rootfs_patch.h"
#include "engine/engine.h"
#include "os/child_process.h"
#include "os/signals.h"
#include "protocol/messages.h"
#include "runtime/sandbox_network.h"

namespace msb::runtime {

struct BootTimings {
  uint64_t launch_to_ready_ns = 0;                 // host: engine launch -> core.ready received
  uint64_t kernel_boot_ns = 0;                     // guest: kernel start -> agent start
  uint64_t agent_init_ns = 0;                      // guest: agent start -> ready
  std::map<std::string, uint64_t> agent_steps_ns;  // guest: agent init steps
  uint64_t exec_ns = 0;                           // host: exec.request sent -> exec.exited received
  uint64_t shutdown_ns = 0;                       // host: core.shutdown sent -> engine exited
  std::map<std::string, uint64_t> host_steps_ns;  // host: the engine's launch steps by name
};

struct ForegroundRunRequest {
  engine::LaunchSpec launch;
  NetworkPlan network;  // used when launch.network is set
  protocol::ExecRequest exec;
  // Applied once the agent is ready, before the command (runtime/rootfs_patches.h).
  std::vector<config::RootfsPatch> patches;
  std::chrono::milliseconds boot_timeout{120'000};
  std::chrono::milliseconds shutdown_timeout{10'000};
  int stdout_fd = 1;
  int stderr_fd = 2;
};

struct ForegroundRunResult {
  os::ExitStatus status;
  BootTimings timings;
  std::string engine;  // "vm (tcg)"
};

// Runs the request. A signal arriving on `interrupts` cancels the run: the sandbox is
// torn down first. Not thread-safe. Errors: kBootFailed (with the console tail), kExecFailed
// (command not found: sys_errno ENOENT; not executable: EACCES/ENOEXEC), kCancelled (sys_errno =
// signal), kNotFound (kernel/QEMU/kit missing), kUnsupported (accelerator), kInvalidConfig (a
// patch that could not be applied: "patch <index> (<kind> <path>): <reason>"; the command
// does not run).
Result<ForegroundRunResult> foreground_run(engine::Engine& engine,
                                           const ForegroundRunRequest& request,
                                           os::SignalFd& interrupts);

}  // namespace msb::runtime
