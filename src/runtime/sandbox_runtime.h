// SandboxRuntime: the per-sandbox supervisor (msb-runtime). It owns every resource of one
// sandbox run, declared in setup order so that destruction tears down in reverse: the
// state-store connection, the run record, the logs, the engine instance, the agent.sock
// listener and the relay. SIGTERM = graceful stop, SIGUSR1 = drain; the end of the run is
// recorded in the store however it comes.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/error.h"
#include "common/paths.h"
#include "common/step_timer.h"
#include "config/sandbox_config.h"
#include "engine/engine.h"
#include "net/user_network.h"
#include "os/fd.h"
#include "os/signals.h"
#include "runtime/agent_relay.h"
#include "runtime/exec_log.h"
#include "store/database.h"
#include "store/run_records.h"
#include "store/sandbox_records.h"

namespace msb::runtime {

struct RuntimeOptions {
  std::string name;
  std::string home;      // $MSB_HOME
  int status_fd = -1;    // gets one StartupStatus line, then is closed
  int watchdog_fd = -1;  // attached mode: EOF = the creator is gone; a 'D' byte detaches
  std::chrono::milliseconds boot_timeout{180'000};
  std::chrono::milliseconds stop_timeout{10'000};
};

class SandboxRuntime {
 public:
  // Loads the sandbox record and its config. Errors: kNotFound (no such sandbox),
  // kInvalidConfig (unreadable config), store errors.
  static Result<std::unique_ptr<SandboxRuntime>> create(RuntimeOptions options,
                                                        os::SignalFd signals);
  ~SandboxRuntime();

  // Boots the sandbox, serves agent.sock until it stops, records how it ended. Returns
  // the process exit code (0 when the sandbox booted).
  int run();

 private:
  // Why the supervisor began stopping the sandbox.
  enum class StopCause { kNone, kShutdownRequested, kDrainRequested, kSignal };

  SandboxRuntime(RuntimeOptions options, os::SignalFd signals, store::Database db,
                 store::SandboxRecord record, config::SandboxConfig config);

  Result<void> prepare();
  Result<void> boot();
  Result<void> record_supervisor();
  Result<void> check_workdir(class AgentSession& session);
  Result<void> listen();
  void report_startup(const Result<void>& booted);
  void record_boot_failure(const Error& error);
  Result<os::ExitStatus> serve();
  Result<void> accept_clients();
  void handle_signal(int sig);
  void handle_watchdog();
  void begin_stop(StopCause cause);
  void begin_drain();
  void finish(const Result<os::ExitStatus>& ended, std::optional<Error> boot_error);
  std::optional<os::ExitStatus> reap_engine();
  store::TerminationReason termination_reason(const Result<os::ExitStatus>& ended,
                                              const std::optional<os::ExitStatus>& engine_status,
                                              const std::optional<Error>& boot_error) const;
  void remove_ephemeral();

  RuntimeOptions options_;
  std::vector<os::Fd> disk_locks_;  // the disk volumes' images, locked for this run
  SandboxPaths paths_;
  os::SignalFd signals_;
  store::Database db_;
  store::SandboxRecord record_;
  config::SandboxConfig config_;
  std::optional<store::RunRecord> run_;
  std::optional<ExecLog> exec_log_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<engine::Instance> instance_;
  // After the instance: stopped first, while the card's other end still exists.
  std::unique_ptr<net::UserNetwork> network_;
  protocol::CoreReady ready_;
  StepTimings boot_steps_;
  os::Fd listener_;
  std::optional<AgentRelay> relay_;
  os::Fd watchdog_;
  StopCause stop_cause_ = StopCause::kNone;
  bool draining_ = false;
  uint64_t stop_deadline_ns_ = 0;
};

}  // namespace msb::runtime
