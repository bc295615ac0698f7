#include "sdk/lifecycle.h"

#include <signal.h>

#include "common/paths.h"
#include "config/validate.h"
#include "os/file.h"
#include "os/process_handle.h"
#include "os/process_stat.h"
#include "os/unix_socket.h"
#include "protocol/connection.h"
#include "runtime/prepared_root.h"
#include "runtime/sandbox_root.h"
#include "runtime/startup_status.h"
#include "runtime/volume_specs.h"
#include "sdk/create_patches.h"
#include "sdk/supervisor_spawn.h"
#include "store/reconcile.h"
#include "store/run_records.h"

namespace msb::sdk {
namespace {

Result<store::Database> open_store() { return store::Database::open(msb_db_path()); }

std::string already_exists(const std::string& name) {
  return "sandbox '" + name +
         "' already exists; remove it, start the stopped sandbox, or recreate with replace";
}

}  // namespace

Result<bool> remove_if_crashed_ephemeral(store::Database& db, const store::SandboxRecord& record) {
  if (!record.ephemeral || record.status != store::SandboxStatus::kCrashed) return false;
  SandboxPaths paths = sandbox_paths(msb_home(), record.name);
  (void)os::remove_tree(paths.run_dir);
  MSB_TRY(os::remove_tree(paths.dir));
  MSB_TRY(store::delete_sandbox(db, record.id));
  return true;
}

// Reconciliation's test of a supervisor, where a zombie counts as dead: supervisors are
// orphans that init reaps, and some inits (in containers) reap only seconds later. A zombie
// can record nothing any more, so its row must read crashed at once, not running.
bool supervisor_alive(int64_t pid, uint64_t start_time) {
  std::optional<os::ProcessStat> stat = os::ProcessStat::read_started_at(pid, start_time);
  return stat && stat->alive();
}

namespace {

// Reads a sandbox after reconciling it: a row that says running over a dead supervisor
// reads as crashed (and a crashed ephemeral one is gone).
Result<store::SandboxRecord> find_reconciled(store::Database& db, const std::string& name) {
  MSB_TRY(store::reconcile_sandbox(db, name, supervisor_alive));
  std::optional<store::SandboxRecord> record = MSB_TRY(store::find_sandbox(db, name));
  if (!record || MSB_TRY(remove_if_crashed_ephemeral(db, *record)))
    return err(ErrorKind::kNotFound, "sandbox '{}' not found", name);
  return std::move(*record);
}

// The engine of stored sandbox `record`, after checking that its root is still there.
Result<std::unique_ptr<engine::Engine>> checked_engine(store::Database& db,
                                                       const store::SandboxRecord& record,
                                                       const config::SandboxConfig& config) {
  std::unique_ptr<engine::Engine> engine = MSB_TRY(runtime::engine_for(config));
  MSB_TRY(runtime::pinned_root(*engine, config, db, record.id));
  return engine;
}

// The live supervisor of a running sandbox, if any.
Result<std::optional<os::ProcessHandle>> supervisor_of(store::Database& db,
                                                       const store::SandboxRecord& record) {
  std::optional<store::RunRecord> run = MSB_TRY(store::running_run(db, record.id));
  if (!run) return std::optional<os::ProcessHandle>();
  return os::ProcessHandle::open(static_cast<int>(run->pid), run->pid_start_time);
}

// After a SIGKILL the supervisor cannot record anything: its QEMU dies with it (parent
// death signal) and we record the end.
Result<void> record_killed(store::Database& db, const store::SandboxRecord& record) {
  SandboxPaths paths = sandbox_paths(msb_home(), record.name);
  Result<std::string> text = os::read_file(paths.supervisor_file);
  if (text) {
    Result<runtime::SupervisorRecord> supervisor = runtime::decode_supervisor_record(*text);
    if (supervisor) {
      std::optional<os::ProcessHandle> engine =
          MSB_TRY(os::ProcessHandle::open(supervisor->engine_pid, supervisor->engine_start_time));
      if (engine) {
        MSB_TRY(engine->signal(SIGKILL));
        (void)MSB_TRY(engine->wait_exit(kKillWait));
      }
    }
  }
  std::optional<store::RunRecord> run = MSB_TRY(store::running_run(db, record.id));
  if (run) {
    store::RunEnd end{store::TerminationReason::kSignal, std::nullopt, SIGKILL};
    MSB_TRY(store::end_run(db, run->id, end, store::SandboxStatus::kStopped));
  } else {
    MSB_TRY(store::set_sandbox_status(db, record.id, store::SandboxStatus::kStopped));
  }
  (void)os::remove_tree(paths.run_dir);
  if (record.ephemeral) {
    MSB_TRY(os::remove_tree(paths.dir));
    MSB_TRY(store::delete_sandbox(db, record.id));
  }
  return {};
}

Result<void> kill_record(store::Database& db, const store::SandboxRecord& record) {
  std::optional<os::ProcessHandle> supervisor = MSB_TRY(supervisor_of(db, record));
  if (supervisor) {
    MSB_TRY(supervisor->signal(SIGKILL));
    bool died = MSB_TRY(supervisor->wait_exit(kKillWait));
    if (!died)
      return err(ErrorKind::kTimeout, "kill sandbox '{}': supervisor pid {} still alive after 5 s",
                 record.name, supervisor->pid());
  }
  return record_killed(db, record);
}

// Asks the agent (through the supervisor) to shut down; SIGTERM when that is not possible.
Result<void> request_stop(const store::SandboxRecord& record, os::ProcessHandle& supervisor) {
  SandboxPaths paths = sandbox_paths(msb_home(), record.name);
  Result<os::Fd> socket = os::connect_unix(paths.agent_socket);
  if (socket) {
    Result<protocol::FrameConnection> connection =
        protocol::FrameConnection::create(std::move(*socket));
    if (connection && connection->send(0, protocol::kFlagShutdown, protocol::CoreShutdown{}) &&
        connection->flush_all(1000))
      return {};
  }
  return supervisor.signal(SIGTERM);
}

Result<void> stop_record(store::Database& db, const store::SandboxRecord& record,
                         std::chrono::milliseconds timeout) {
  if (!is_active(record.status)) return {};
  std::optional<os::ProcessHandle> supervisor = MSB_TRY(supervisor_of(db, record));
  if (!supervisor) {
    MSB_TRY(store::reconcile_sandbox(db, record.name, supervisor_alive));
    return {};
  }
  MSB_TRY(request_stop(record, *supervisor));
  bool stopped = MSB_TRY(supervisor->wait_exit(timeout));
  if (stopped) return {};
  return kill_record(db, record);
}

// Replace: the old sandbox is stopped (graceful, then SIGKILL after its grace period), and
// its record and directory removed.
Result<void> replace_existing(store::Database& db, const config::SandboxConfig& config) {
  SandboxPaths paths = sandbox_paths(msb_home(), config.name);
  MSB_TRY(store::reconcile_sandbox(db, config.name, supervisor_alive));
  std::optional<store::SandboxRecord> existing = MSB_TRY(store::find_sandbox(db, config.name));
  if (existing) {
    MSB_TRY(stop_record(db, *existing, std::chrono::milliseconds(config.replace_timeout_ms)));
    std::optional<store::SandboxRecord> after = MSB_TRY(store::find_sandbox(db, config.name));
    if (after) MSB_TRY(store::delete_sandbox(db, after->id));
  }
  (void)os::remove_tree(paths.run_dir);
  return os::remove_tree(paths.dir);
}

// Without replace, a name whose record exists (or whose directory is left over) is taken.
// A crashed ephemeral sandbox is removed here: it frees its name.
Result<void> check_name_free(store::Database& db, const std::string& name) {
  MSB_TRY(store::reconcile_sandbox(db, name, supervisor_alive));
  std::optional<store::SandboxRecord> existing = MSB_TRY(store::find_sandbox(db, name));
  if (existing && !MSB_TRY(remove_if_crashed_ephemeral(db, *existing)))
    return make_error(ErrorKind::kAlreadyExists, already_exists(name));
  // A directory without a record is somebody's data (a crash mid-remove): never reuse it.
  if (os::path_exists(sandbox_paths(msb_home(), name).dir))
    return make_error(ErrorKind::kAlreadyExists, already_exists(name));
  return {};
}

// How the engine assembles a root from `image` (the reference's sandbox_rootfs columns).
store::RootfsPin rootfs_pin(const engine::Engine& engine, const store::ImageRecord& image) {
  if (engine.isolation() == engine::Isolation::kVm) return {image.manifest_digest, "erofs", "ext4"};
  return {image.manifest_digest, "layers", ""};
}

// The stored config of `record`, checked again as create checked it: the record may have
// been edited by hand or written by another version.
Result<config::SandboxConfig> stored_config(const store::SandboxRecord& record) {
  config::SandboxConfig config = MSB_TRY(config::config_from_json(record.config_json));
  if (config.name != record.name)
    return err(ErrorKind::kInvalidConfig, "sandbox config: name '{}' does not match the record",
               config.name);
  MSB_TRY(config::validate(config, msb_home()));
  return config;
}

Result<StartedSandbox> boot(const std::string& name, bool detached) {
  SpawnedSupervisor spawned = MSB_TRY(spawn_supervisor(name, !detached, kBootTimeout));
  return StartedSandbox{name, spawned.pid, std::move(spawned.watchdog)};
}

}  // namespace

bool is_active(store::SandboxStatus status) {
  return status == store::SandboxStatus::kRunning || status == store::SandboxStatus::kDraining ||
         status == store::SandboxStatus::kPaused;
}

Result<StartedSandbox> create_sandbox(config::SandboxConfig config,
                                      const runtime::PullOptions& pull) {
  std::string home = msb_home();
  MSB_TRY(config::validate(config, home));
  MSB_TRY(config::check_patch_sources(config.patches));
  // A disk image another running sandbox writes: refused before anything is made.
  MSB_TRY(runtime::check_disks_free(config.mounts));
  config::normalize(config);
  std::unique_ptr<engine::Engine> engine = MSB_TRY(runtime::engine_for(config));
  store::Database db = MSB_TRY(open_store());
  // A taken name fails before the pull: nothing is downloaded for a create that cannot be.
  if (!config.replace) MSB_TRY(check_name_free(db, config.name));
  // Pulls (per the config's policy) and applies the image's defaults before the record is
  // written, so the stored config is what the sandbox runs with. Replace comes after it: a
  // failed pull leaves the sandbox being replaced as it was.
  runtime::PreparedRoot root = MSB_TRY(runtime::prepare_root(*engine, config, db, pull));
  if (root.image) config.manifest_digest = root.image->manifest_digest;
  if (config.replace) MSB_TRY(replace_existing(db, config));
  SandboxPaths paths = sandbox_paths(home, config.name);
  // Again after the pull: another process may have taken the name meanwhile.
  if (os::path_exists(paths.dir))
    return make_error(ErrorKind::kAlreadyExists, already_exists(config.name));
  store::SandboxRecord record = MSB_TRY(store::insert_sandbox(
      db, {config.name, config::to_json(config), config.ephemeral, config.labels}));
  Result<void> prepared =
      root.image ? store::pin_sandbox_rootfs(db, record.id, rootfs_pin(*engine, *root.image))
                 : Result<void>{};
  if (prepared) prepared = os::make_dirs(paths.logs);
  if (prepared)
    prepared = runtime::create_writable_layer(
        *engine, root, config, engine->writable_layer_path(paths.dir), config.ephemeral);
  if (!prepared) {
    (void)os::remove_tree(paths.dir);
    (void)store::delete_sandbox(db, record.id);
    return tl::unexpected(prepared.error());
  }
  StartedSandbox started = MSB_TRY(boot(config.name, config.detached));
  // Patches go in before create returns, so nothing of the user's runs without them.
  Result<void> patched = apply_create_patches(paths.agent_socket, config.patches);
  if (!patched) {
    // A half-patched sandbox is not the one asked for: none of it stays.
    (void)remove_sandbox(config.name, /*force=*/true);
    return tl::unexpected(patched.error());
  }
  return started;
}

Result<StartedSandbox> start_sandbox(const std::string& name, bool detached) {
  MSB_TRY(config::validate_name(name));
  store::Database db = MSB_TRY(open_store());
  store::SandboxRecord record = MSB_TRY(find_reconciled(db, name));
  if (record.status == store::SandboxStatus::kRunning ||
      record.status == store::SandboxStatus::kDraining)
    return err(ErrorKind::kStillRunning, "cannot start sandbox '{}': already running", name);
  // Paused keeps its supervisor; created is a create still under way (or one that died
  // before its boot): neither may be booted a second time.
  if (record.status != store::SandboxStatus::kStopped &&
      record.status != store::SandboxStatus::kCrashed)
    return err(ErrorKind::kStillRunning,
               "cannot start sandbox '{}': status is {} (expected Stopped or Crashed)", name,
               store::sandbox_status_name(record.status));
  config::SandboxConfig config =
      MSB_TRY(stored_config(record).context("cannot start sandbox '{}'", name));
  SandboxPaths paths = sandbox_paths(msb_home(), name);
  if (!os::is_directory(paths.dir))
    return err(ErrorKind::kNotFound, "cannot start sandbox '{}': its directory is missing: {}",
               name, paths.dir);
  std::unique_ptr<engine::Engine> engine = MSB_TRY(
      std::move(checked_engine(db, record, config)).context("cannot start sandbox '{}'", name));
  std::string layer = engine->writable_layer_path(paths.dir);
  if (config.root_disk.kind == config::RootDisk::Kind::kDisk && !engine->has_writable_layer(layer))
    return err(ErrorKind::kNotFound, "cannot start sandbox '{}': its writable layer is missing: {}",
               name, layer);
  return boot(name, detached);
}

Result<void> stop_sandbox(const std::string& name, std::chrono::milliseconds timeout) {
  MSB_TRY(config::validate_name(name));
  store::Database db = MSB_TRY(open_store());
  store::SandboxRecord record = MSB_TRY(find_reconciled(db, name));
  return stop_record(db, record, timeout);
}

Result<void> request_stop_async(const std::string& name) {
  MSB_TRY(config::validate_name(name));
  store::Database db = MSB_TRY(open_store());
  store::SandboxRecord record = MSB_TRY(find_reconciled(db, name));
  if (!is_active(record.status)) return {};
  std::optional<os::ProcessHandle> supervisor = MSB_TRY(supervisor_of(db, record));
  if (!supervisor) return {};
  return request_stop(record, *supervisor);
}

Result<void> kill_sandbox(const std::string& name) {
  MSB_TRY(config::validate_name(name));
  store::Database db = MSB_TRY(open_store());
  store::SandboxRecord record = MSB_TRY(find_reconciled(db, name));
  if (!is_active(record.status)) return {};
  return kill_record(db, record);
}

Result<void> drain_sandbox(const std::string& name) {
  MSB_TRY(config::validate_name(name));
  store::Database db = MSB_TRY(open_store());
  store::SandboxRecord record = MSB_TRY(find_reconciled(db, name));
  // Not running: there is nothing to drain (as stop of a stopped sandbox).
  if (!is_active(record.status)) return {};
  std::optional<os::ProcessHandle> supervisor = MSB_TRY(supervisor_of(db, record));
  if (!supervisor) return {};
  return supervisor->signal(SIGUSR1);
}

Result<void> remove_sandbox(const std::string& name, bool force) {
  MSB_TRY(config::validate_name(name));
  store::Database db = MSB_TRY(open_store());
  store::SandboxRecord record = MSB_TRY(find_reconciled(db, name));
  if (is_active(record.status)) {
    if (!force)
      return err(ErrorKind::kStillRunning,
                 "cannot remove sandbox '{}': it is running; stop it first or force the removal",
                 name);
    MSB_TRY(kill_record(db, record));
  }
  SandboxPaths paths = sandbox_paths(msb_home(), name);
  // Directory first: a crash in between leaves a record that can be removed again.
  (void)os::remove_tree(paths.run_dir);
  MSB_TRY(os::remove_tree(paths.dir));
  std::optional<store::SandboxRecord> still = MSB_TRY(store::find_sandbox(db, name));
  if (still) MSB_TRY(store::delete_sandbox(db, still->id));
  return {};
}

Result<store::SandboxRecord> get_sandbox(const std::string& name) {
  MSB_TRY(config::validate_name(name));
  store::Database db = MSB_TRY(open_store());
  return find_reconciled(db, name);
}

Result<store::SandboxRecord> wait_sandbox(const std::string& name,
                                          std::optional<std::chrono::milliseconds> timeout) {
  MSB_TRY(config::validate_name(name));
  store::Database db = MSB_TRY(open_store());
  store::SandboxRecord record = MSB_TRY(find_reconciled(db, name));
  if (!is_active(record.status)) return record;
  std::optional<os::ProcessHandle> supervisor = MSB_TRY(supervisor_of(db, record));
  if (supervisor) {
    bool ended = MSB_TRY(supervisor->wait_exit(timeout.value_or(std::chrono::milliseconds(-1))));
    if (!ended)
      return err(ErrorKind::kTimeout, "sandbox '{}' still running after {} ms", name,
                 timeout->count());
  }
  MSB_TRY(store::reconcile_sandbox(db, name, supervisor_alive));
  std::optional<store::SandboxRecord> after = MSB_TRY(store::find_sandbox(db, name));
  if (!after) {  // an ephemeral sandbox removed itself
    record.status = store::SandboxStatus::kStopped;
    return record;
  }
  return std::move(*after);
}

Result<std::vector<store::RunRecord>> sandbox_runs(const std::string& name) {
  MSB_TRY(config::validate_name(name));
  store::Database db = MSB_TRY(open_store());
  store::SandboxRecord record = MSB_TRY(find_reconciled(db, name));
  return store::runs_of(db, record.id);
}

Result<config::SandboxConfig> sandbox_config(const std::string& name) {
  store::SandboxRecord record = MSB_TRY(get_sandbox(name));
  return config::config_from_json(record.config_json);
}

}  // namespace msb::sdk
