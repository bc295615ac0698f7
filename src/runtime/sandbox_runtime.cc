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
#include "runtime/sandbox_root.h"
#include "runtime/startup_status.h"
#include "store/reconcile.h"

namespace msb::runtime {
namespace {

constexpr size_t kReportLines = 25;
constexpr uint32_t kWorkdirCheckId = 1;

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
  logger("runtime")->info("sandbox '{}' is running ({})", options_.name, instance_->describe());
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

Result<void> SandboxRuntime::boot() {
  engine_ = MSB_TRY(engine_for(config_));
  engine::LaunchSpec spec;
  spec.runtime_dir = paths_.logs;
  spec.console_log = paths_.console_log;
  spec.run_dir = paths_.run_dir;
  spec.cpus = config_.cpus;
  spec.memory_mib = config_.memory_mib;
  spec.rootfs_layers = MSB_TRY(pinned_root(*engine_, config_, db_, record_.id));
  spec.writable_layer = engine_->writable_layer_path(paths_.dir);
  // Stored configs are normalized (hostname set); derive it anyway for one that is not.
  spec.hostname = config_.hostname.value_or(config::derive_hostname(config_.name));
  spec.ephemeral = record_.ephemeral;  // removed when it stops, never booted again
  // Unique across $MSB_HOMEs too: cgroups are host-wide.
  spec.instance_name = fmt::format("{}-{}-{}", options_.name, run_->id, os::current_pid());
  if (!config_.accel.empty()) spec.accel = MSB_TRY(engine::parse_accel(config_.accel));
  if (!engine_->has_writable_layer(spec.writable_layer))
    return err(ErrorKind::kNotFound, "writable layer missing: {}", spec.writable_layer);

  instance_ = MSB_TRY(engine_->launch(spec));
  int engine_pid = instance_->process_id();
  SupervisorRecord supervisor{os::current_pid(), run_->pid_start_time, engine_pid,
                              os::process_start_time(engine_pid).value_or(0)};
  // Names live processes only: after a power loss an empty record is skipped like a stale one.
  MSB_TRY(os::write_file_atomic(paths_.supervisor_file, encode_supervisor_record(supervisor), 0644,
                                os::Durability::kProcessCrash));

  protocol::FrameConnection channel =
      MSB_TRY(protocol::FrameConnection::create(instance_->take_agent_channel()));
  AgentSession session(std::move(channel), instance_->exit_fd(), &signals_);
  for (;;) {
    Result<protocol::Envelope> envelope = session.next(options_.boot_timeout);
    if (!envelope) {
      Error error = envelope.error();
      if (error.kind == ErrorKind::kTimeout)
        error.message = fmt::format("the agent did not report ready within {} s",
                                    options_.boot_timeout.count() / 1000);
      if (error.kind != ErrorKind::kCancelled) error.kind = ErrorKind::kBootFailed;
      error.message = "boot failed: " + error.message;
      if (error.kind == ErrorKind::kBootFailed)
        error.message += "\n" + instance_->failure_report(kReportLines);
      return tl::unexpected(error);
    }
    if (auto* ready = std::get_if<protocol::CoreReady>(&envelope->message)) {
      ready_ = *ready;
      break;
    }
  }
  MSB_TRY(check_workdir(session));
  relay_.emplace(std::move(session.connection()), options_.name, &*exec_log_,
                 relay_windows(ready_));
  return listen();
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

void SandboxRuntime::finish(const Result<os::ExitStatus>& ended, std::optional<Error> boot_error) {
  std::shared_ptr<spdlog::logger> log = logger("runtime");
  std::optional<os::ExitStatus> engine_status;
  if (instance_) {
    Result<std::optional<os::ExitStatus>> done = instance_->wait_for(std::chrono::milliseconds(0));
    if (done && *done) {
      engine_status = **done;
    } else {
      Result<os::ExitStatus> killed = instance_->kill();
      if (killed) engine_status = *killed;
    }
  }
  relay_.reset();
  if (listener_) {
    listener_.reset();
    (void)os::remove_file(paths_.agent_socket);
  }
  store::RunEnd end{store::TerminationReason::kCompleted, std::nullopt, std::nullopt};
  std::optional<std::string> last_error;
  if (engine_status) {
    end.exit_code = engine_status->code;
    if (engine_status->signal) end.exit_signal = engine_status->signal;
  }
  switch (stop_cause_) {
    case StopCause::kShutdownRequested:
      end.reason = store::TerminationReason::kShutdownRequested;
      break;
    case StopCause::kDrainRequested:
      end.reason = store::TerminationReason::kDrainRequested;
      break;
    case StopCause::kSignal:
      end.reason = store::TerminationReason::kSignal;
      break;
    case StopCause::kNone:
      if (!ended || !engine_status || !engine_status->success())
        end.reason = store::TerminationReason::kFailed;
      break;
  }
  if (boot_error) {
    record_boot_failure(*boot_error);
    end.reason = boot_error->kind == ErrorKind::kCancelled ? store::TerminationReason::kSignal
                                                           : store::TerminationReason::kFailed;
    last_error = boot_error->message;
    log->error("boot failed: {}", boot_error->message);
  } else if (!ended) {
    end.reason = store::TerminationReason::kInternalError;
    last_error = ended.error().message;
    log->error("supervisor failed: {}", ended.error().message);
  }
  if (run_) {
    Result<void> recorded =
        store::end_run(db_, run_->id, end, store::SandboxStatus::kStopped, last_error);
    if (!recorded) log->error("recording the end of the run: {}", recorded.error().message);
  }
  log->info("--- sandbox stopped ({}) ---", store::termination_reason_name(end.reason));
  (void)os::remove_tree(paths_.run_dir);
  if (record_.ephemeral) remove_ephemeral();
}

// Ephemeral sandboxes leave nothing: the directory goes first, then the record, so that a
// crash in between leaves a record that `msb rm` can still remove.
void SandboxRuntime::remove_ephemeral() {
  (void)os::remove_tree(paths_.dir);
  Result<void> removed = store::delete_sandbox(db_, record_.id);
  if (!removed) logger("runtime")->error("removing ephemeral sandbox: {}", removed.error().message);
}

}  // namespace msb::runtime
