// Sandbox lifecycle over the state store and the supervisors: create, start, stop, kill,
// drain, remove, get, list, wait. The Result-returning core under the public Sandbox API
// and the msb commands. Every call opens its own store connection, so each is safe to
// call from any thread; every read reconciles rows whose supervisor died first.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "config/sandbox_config.h"
#include "os/fd.h"
#include "runtime/image_service.h"
#include "store/run_records.h"
#include "store/sandbox_records.h"

namespace msb::sdk {

inline constexpr std::chrono::milliseconds kBootTimeout{200'000};
inline constexpr std::chrono::milliseconds kKillWait{5'000};

// A started sandbox as its starter holds it.
struct StartedSandbox {
  std::string name;
  int supervisor_pid = 0;
  os::Fd watchdog;  // attached: closing it stops the sandbox
};

// In order: validates everything; without config.replace, refuses a taken name
// (kAlreadyExists, before any pull); pulls the image per config.pull_policy (progress to
// `pull`); with config.replace, stops and removes the sandbox of that name; records the
// sandbox (config.manifest_digest set) pinned to the image's manifest, prepares its
// directory and upper disk, boots it, and applies config.patches through its agent
// (sdk/create_patches.h). Nothing is created or removed when validation (including the
// patches' host sources) or the pull fails; a failed boot leaves the record stopped with the
// reason in last_error (ephemeral ones are removed); a patch that cannot apply kills and
// removes the sandbox (record, directory, logs) and fails with kInvalidConfig "patch <index>
// (<kind> <path>): <reason>".
// Errors: kInvalidConfig, kAlreadyExists, kImageNotFound, kBootFailed, kTimeout, the pull's
// errors (see runtime::ensure_image), store errors.
Result<StartedSandbox> create_sandbox(config::SandboxConfig config,
                                      const runtime::PullOptions& pull = {});
// Boots a stopped or crashed sandbox again, after validating its stored config again.
// Errors: kNotFound (sandbox, its directory or disk), kStillRunning (running or draining:
// "already running"; paused or created: "status is <status> (expected Stopped or
// Crashed)"), kInvalidConfig (the stored config does not parse or validate), kBootFailed.
Result<StartedSandbox> start_sandbox(const std::string& name, bool detached);
// Asks the sandbox to shut down (the agent syncs and unmounts), falling back to SIGTERM on
// the supervisor, then SIGKILL after `timeout`. A sandbox that is not running: success.
Result<void> stop_sandbox(const std::string& name, std::chrono::milliseconds timeout);
// Asks a running sandbox to shut down and returns at once. Not running: success.
Result<void> request_stop_async(const std::string& name);
// SIGKILL to the supervisor (the VM dies with it), waits up to 5 s, records it stopped.
Result<void> kill_sandbox(const std::string& name);
// Running commands finish, new ones are refused, then the sandbox stops. A sandbox that is
// not running: success, nothing happens. Errors: kNotFound.
Result<void> drain_sandbox(const std::string& name);
// Removes the record, directory and logs. Running: kStillRunning unless `force` (kill).
Result<void> remove_sandbox(const std::string& name, bool force);
Result<store::SandboxRecord> get_sandbox(const std::string& name);
// Waits until the sandbox is not running (forever when timeout is nullopt) and returns
// its record then. Errors: kNotFound, kTimeout.
Result<store::SandboxRecord> wait_sandbox(const std::string& name,
                                          std::optional<std::chrono::milliseconds> timeout);
// The sandbox's config as recorded. Errors: kNotFound, kInvalidConfig.
Result<config::SandboxConfig> sandbox_config(const std::string& name);

// The runs of a sandbox, oldest first. Errors: kNotFound.
Result<std::vector<store::RunRecord>> sandbox_runs(const std::string& name);

bool is_active(store::SandboxStatus status);  // running, draining or paused

// For the read paths (sdk/sandbox_list.h): reconciliation's test of a supervisor, (pid,
// start time) alive and not a zombie.
bool supervisor_alive(int64_t pid, uint64_t start_time);
// An ephemeral sandbox whose supervisor crashed could not remove itself: whoever finds it
// does. Returns whether `record` was such a sandbox and is gone now.
Result<bool> remove_if_crashed_ephemeral(store::Database& db, const store::SandboxRecord& record);

}  // namespace msb::sdk
