// SandboxRuntime: setting up, booting and recording the end of one sandbox run. The
// serving loop lives in runtime_serve.cc.
#include "runtime/sandbox_runtime.h"

#include <fcntl.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "config/hostname.h"
#include "os/clock.h"
#include "os/file.h"
#include "os/io.h"
#include "os/system.h"
#include "os/unix_socket.h"
#include "runtime/agent_session.h"
#include "runtime/named_volumes.h"
#include "runtime/sandbox_launch.h"
#include "runtime/sandbox_network.h"
#include "runtime/sandbox_root.h"
#include "runtime/startup_status.h"
#include "runtime/volume_specs.h"
#include "store/reconcile.h"

namespace msb::runtime {
namespace {

constexpr uint32_t kWorkdirCheckId = 1;

// "runtime.launch 812.3 ms, vm.spawn_qemu 4.1 ms, ...", for the log.
std::string describe_steps(const StepTimings& steps) {
  std::string text;
  for (const auto& [name, ns] : steps.steps())
    text += fmt::format("{}{} {:.1f} ms", text.empty() ? "" : ", ", name, ns / 1e6);
  return text;
}

}  // namespace

Result<std::unique_ptr<SandboxRuntime>> SandboxRuntime::create(RuntimeOptions options,
                                                               os::SignalFd signals) {
  store::Database db = MSB_TRY(store::Database::open(options.home + "/db/msb.db"));
  std::optional<store::SandboxRecord> record = MSB_TRY(store::find_sandbox(db, options.name));
  if (!record) return err(ErrorKind::kNotFound, "sandbox '{}' not found", options.name);
  config::SandboxConfig config = MSB_TRY(config::config_from_json(record->config_json));
  return std::unique_ptr<SandboxRuntime>(new SandboxRuntime(std::move(options), std::move(signals),
                                                            std::move(db), std::move(*record),
                                                            std::move(config)));
}

SandboxRuntime::SandboxRuntime(RuntimeOptions options, os::SignalFd signals, store::Database db,
                               store::SandboxRecord record, config::SandboxConfig config)
    : options_(std::move(options)),
      paths_(sandbox_paths(options_.home, options_.name)),
      signals_(std::move(signals)),
      db_(std::move(db)),
      record_(std::move(record)),
      config_(std::move(config)),
      watchdog_(options_.watchdog_fd) {}

SandboxRuntime::~SandboxRuntime() = default;

int SandboxRuntime::run() {
  Result<void> booted = prepare();
  if (booted) booted = boot();
  if (!booted) {
    // Record the failure (engine reaped, record stopped with the reason) before the starter
    // hears of it: what it reads next must be the stopped record, not a running one.
    finish(tl::unexpected(booted.error()), booted.error());
    report_startup(booted);
    return 1;
  }
  report_startup(booted);
  logger("runtime")->info("sandbox '{}' is running ({}); boot steps: {}", options_.name,
                          instance_->describe(), describe_steps(boot_steps_));
  Result<os::ExitStatus> ended = serve();
  finish(ended, std::nullopt);
  return 0;
}

// The run row comes first: from here on a crash of this process is found by reconciliation.
Result<void> SandboxRuntime::prepare() {
  int pid = os::current_pid();
  run_ = MSB_TRY(store::begin_run(db_, record_.id, pid, os::process_start_time(pid).value_or(0)));
  MSB_TRY(os::make_dirs(paths_.logs));
  MSB_TRY(os::make_dirs(paths_.run_dir));
  (void)os::remove_file(paths_.boot_error);
  exec_log_ = MSB_TRY(ExecLog::open(paths_.exec_log));
  return {};
}

// The steps of a boot, each timed; the figures go to runtime.log.
Result<void> SandboxRuntime::boot() {
  std::optional<StepTimer> step(std::in_place, boot_steps_, "runtime.plan");
  engine_ = MSB_TRY(engine_for(config_));
  LaunchPlace place{paths_.logs, paths_.console_log, paths_.run_dir,
                    engine_->writable_layer_path(paths_.dir),
                    // Unique across $MSB_HOMEs too: cgroups are host-wide.
                    fmt::format("{}-{}-{}", options_.name, run_->id, os::current_pid())};
  std::vector<std::string> layers = MSB_TRY(pinned_root(*engine_, config_, db_, record_.id));
  // Ephemeral sandboxes are removed when they stop, never booted again.
  engine::LaunchSpec spec =
      MSB_TRY(launch_spec_for(config_, std::move(layers), std::move(place), record_.ephemeral));
  spec.timings = &boot_steps_;
  spec.volumes = MSB_TRY(volume_specs_for(config_.mounts, [this](std::string_view name) {
    return ensure_named_volume(db_, options_.home, name);
  }));
  disk_locks_ = MSB_TRY(lock_launch_disks(spec));
  const NetworkPlan network_plan = MSB_TRY(network_plan_for(config_));
  if (spec.root_tmpfs_bytes == 0 && !engine_->has_writable_layer(spec.writable_layer))
    return err(ErrorKind::kNotFound, "writable layer missing: {}", spec.writable_layer);

  // The ports are published first: a busy one fails the boot before any VM exists.
  step.emplace(boot_steps_, "runtime.network");
  std::unique_ptr<net::UserNetwork> network = MSB_TRY(prepare_network(network_plan));
  step.emplace(boot_steps_, "runtime.launch");
  instance_ = MSB_TRY(engine_->launch(spec));
  network_ = std::move(network);
  MSB_TRY(record_supervisor());
  MSB_TRY(connect_network(network_.get(), *instance_));

  step.emplace(boot_steps_, "runtime.await_ready");
  protocol::FrameConnection channel =
      MSB_TRY(protocol::FrameConnection::create(instance_->take_agent_channel()));
  AgentSession session(std::move(channel), instance_->exit_fd(), &signals_);
  ready_ = MSB_TRY(await_ready(session, *instance_, options_.boot_timeout));

  step.emplace(boot_steps_, "runtime.check_workdir");
  MSB_TRY(check_workdir(session));
  step.emplace(boot_steps_, "runtime.listen");
  relay_.emplace(std::move(session.connection()), options_.name, &*exec_log_,
                 relay_windows(ready_));
  return listen();
}

// Names live processes only: after a power loss an empty record is skipped like a stale one.
Result<void> SandboxRuntime::record_supervisor() {
  int engine_pid = instance_->process_id();
  SupervisorRecord supervisor{os::current_pid(), run_->pid_start_time, engine_pid,
                              os::process_start_time(engine_pid).value_or(0)};
  return os::write_file_atomic(paths_.supervisor_file, encode_supervisor_record(supervisor), 0644,
                               os::Durability::kProcessCrash);
}

// A workdir that does not exist would fail every exec later, far from its cause.
Result<void> SandboxRuntime::check_workdir(AgentSession& session) {
  if (config_.workdir.empty()) return {};
  MSB_TRY(session.connection().send(kWorkdirCheckId, protocol::kFlagSessionStart,
                                    protocol::FsStat{config_.workdir}));
  for (;;) {
    protocol::Envelope envelope = MSB_TRY(session.next(options_.boot_timeout));
    if (envelope.id != kWorkdirCheckId) continue;
    if (auto* stat = std::get_if<protocol::FsStatResult>(&envelope.message)) {
      if (!stat->exists)
        return err(ErrorKind::kInvalidConfig, "workdir does not exist in guest: {}",
                   config_.workdir);
      if (stat->type != "dir")
        return err(ErrorKind::kInvalidConfig, "workdir is not a directory in guest: {}",
                   config_.workdir);
      return {};
    }
    if (auto* failed = std::get_if<protocol::FsError>(&envelope.message))
      return err(ErrorKind::kInvalidConfig, "workdir {}: {}", config_.workdir, failed->message);
    return err(ErrorKind::kProtocol, "workdir check: unexpected reply from the agent");
  }
}

Result<void> SandboxRuntime::listen() {
  listener_ = MSB_TRY(os::listen_unix(paths_.agent_socket));
  return {};
}

void SandboxRuntime::report_startup(const Result<void>& booted) {
  if (options_.status_fd < 0) return;
  StartupStatus status;
  status.ok = booted.has_value();
  status.pid = os::current_pid();
  if (!booted) {
    status.kind = booted.error().kind;
    status.message = booted.error().message;
  }
  (void)os::write_all(options_.status_fd, encode_startup_status(status));
  os::Fd closing(options_.status_fd);
  options_.status_fd = -1;
}

void SandboxRuntime::record_boot_failure(const Error& error) {
  nlohmann::json record = {{"t", os::realtime_ns()},
                           {"kind", std::string(error_kind_name(error.kind))},
                           {"errno", error.sys_errno},
                           {"message", error.message}};
  (void)os::write_file_atomic(paths_.boot_error,
                              record.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

// The end of the engine: reaped if it is gone, killed if it still runs.
std::optional<os::ExitStatus> SandboxRuntime::reap_engine() {
  if (!instance_) return std::nullopt;
  Result<std::optional<os::ExitStatus>> done = instance_->wait_for(std::chrono::milliseconds(0));
  if (done && *done) return **done;
  Result<os::ExitStatus> killed = instance_->kill();
  if (killed) return *killed;
  return std::nullopt;
}

store::TerminationReason SandboxRuntime::termination_reason(
    const Result<os::ExitStatus>& ended, const std::optional<os::ExitStatus>& engine_status,
    const std::optional<Error>& boot_error) const {
  if (boot_error) {
    return boot_error->kind == ErrorKind::kCancelled ? store::TerminationReason::kSignal
                                                     : store::TerminationReason::kFailed;
  }
  if (!ended) return store::TerminationReason::kInternalError;
  switch (stop_cause_) {
    case StopCause::kShutdownRequested:
      return store::TerminationReason::kShutdownRequested;
    case StopCause::kDrainRequested:
      return store::TerminationReason::kDrainRequested;
    case StopCause::kSignal:
      return store::TerminationReason::kSignal;
    case StopCause::kNone:
      break;
  }
  if (!engine_status || !engine_status->success()) return store::TerminationReason::kFailed;
  return store::TerminationReason::kCompleted;
}

void SandboxRuntime::finish(const Result<os::ExitStatus>& ended, std::optional<Error> boot_error) {
  std::shared_ptr<spdlog::logger> log = logger("runtime");
  StepTimings steps;
  std::optional<StepTimer> step(std::in_place, steps, "runtime.reap_engine");
  std::optional<os::ExitStatus> engine_status = reap_engine();
  relay_.reset();
  if (listener_) {
    listener_.reset();
    (void)os::remove_file(paths_.agent_socket);
  }

  step.emplace(steps, "runtime.record_end");
  store::RunEnd end{termination_reason(ended, engine_status, boot_error), std::nullopt,
                    std::nullopt};
  std::optional<std::string> last_error;
  if (engine_status) {
    end.exit_code = engine_status->code;
    if (engine_status->signal) end.exit_signal = engine_status->signal;
  }
  if (boot_error) {
    record_boot_failure(*boot_error);
    last_error = boot_error->message;
    log->error("boot failed: {}", boot_error->message);
  } else if (!ended) {
    last_error = ended.error().message;
    log->error("supervisor failed: {}", ended.error().message);
  }
  if (run_) {
    Result<void> recorded =
        store::end_run(db_, run_->id, end, store::SandboxStatus::kStopped, last_error);
    if (!recorded) log->error("recording the end of the run: {}", recorded.error().message);
  }

  step.emplace(steps, "runtime.cleanup");
  (void)os::remove_tree(paths_.run_dir);
  if (record_.ephemeral) remove_ephemeral();
  step.reset();
  log->info("stop steps: {}", describe_steps(steps));
  log->info("--- sandbox stopped ({}) ---", store::termination_reason_name(end.reason));
}

// Ephemeral sandboxes leave nothing: the directory goes first, then the record, so that a
// crash in between leaves a record that `msb rm` can still remove.
void SandboxRuntime::remove_ephemeral() {
  (void)os::remove_tree(paths_.dir);
  Result<void> removed = store::delete_sandbox(db_, record_.id);
  if (!removed) logger("runtime")->error("removing ephemeral sandbox: {}", removed.error().message);
}

}  // namespace msb::runtime
