// Sandboxes: named microVMs booted from an image, with an agent inside for exec.
//
//   auto sandbox = microsandbox::Sandbox::builder("job").image("base").create();
//   microsandbox::ExecOutput out = sandbox.exec("echo", {"hello"});
//   sandbox.stop_and_wait();
//
// Every call throws microsandbox::Error on failure (error.h). Sandbox handles are
// move-only and not thread-safe; separate handles (and the static calls) may be used from
// any thread. State lives in $MSB_HOME (default ~/.microsandbox) and is shared with `msb`.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "microsandbox/error.h"
#include "microsandbox/exec.h"
#include "microsandbox/export.h"
#include "microsandbox/fs.h"
#include "microsandbox/image.h"
#include "microsandbox/mount.h"
#include "microsandbox/network.h"
#include "microsandbox/patch.h"

namespace microsandbox {

enum class SandboxStatus { kCreated, kRunning, kDraining, kPaused, kStopped, kCrashed };
MSB_EXPORT const char* status_name(SandboxStatus status);  // "running", ...

// A sandbox as recorded, at the time it was read.
struct SandboxInfo {
  std::string name;
  SandboxStatus status = SandboxStatus::kCreated;
  bool ephemeral = false;
  std::string image;
  uint32_t cpus = 0;
  uint32_t memory_mib = 0;
  // The engine: "vm" (a microVM) or "namespace" (the host's kernel; weaker isolation).
  std::string isolation;
  std::map<std::string, std::string> labels;
  std::chrono::system_clock::time_point created_at;
  std::chrono::system_clock::time_point updated_at;
  std::string last_error;   // why the last run failed; "" when it did not
  std::string config_json;  // the whole recorded configuration
};

enum class LogSource { kExec, kRuntime, kConsole };
// "exec", "runtime", "console". Thread-safe.
MSB_EXPORT const char* log_source_name(LogSource source);

struct LogEntry {
  std::chrono::system_clock::time_point time;  // epoch for console lines (no times there)
  LogSource source = LogSource::kExec;
  std::string stream;    // exec: stdout, stderr, start, exit; runtime: level
  uint32_t session = 0;  // exec session id
  std::string text;
};

struct LogOptions {
  std::optional<size_t> tail;
  std::optional<std::chrono::system_clock::time_point> since;
  std::optional<std::chrono::system_clock::time_point> until;
  std::vector<LogSource> sources;  // empty: exec and runtime
};

// What Sandbox::list_page() lists: a page of sandboxes carrying all of `labels`.
struct SandboxListOptions {
  static constexpr uint32_t kDefaultLimit = 20;
  static constexpr uint32_t kMaxLimit = 100;

  std::map<std::string, std::string> labels;  // each key with exactly that value
  uint32_t limit = kDefaultLimit;             // 1 to kMaxLimit
  std::string cursor;  // "" for the first page, else an earlier page's next_cursor
};

// One page of a listing, newest first.
struct SandboxPage {
  std::vector<SandboxInfo> sandboxes;
  // Pass as SandboxListOptions::cursor for the next page; "" when no sandbox follows. Opaque.
  std::string next_cursor;
};

class Sandbox;

// Collects a sandbox's settings; create() validates them all before anything is made.
class MSB_EXPORT SandboxBuilder {
 public:
  explicit SandboxBuilder(std::string name);
  SandboxBuilder(SandboxBuilder&&) noexcept;
  SandboxBuilder& operator=(SandboxBuilder&&) noexcept;
  ~SandboxBuilder();

  SandboxBuilder& image(std::string reference);  // default: the built-in "base"
  SandboxBuilder& cpus(uint32_t count);
  SandboxBuilder& memory_mib(uint32_t mib);
  SandboxBuilder& env(std::string key, std::string value);
  SandboxBuilder& workdir(std::string guest_path);
  SandboxBuilder& user(std::string user);  // "name", "uid", "uid:gid"
  // 1-64 bytes, any bytes (default: derived from the name). "" is refused at create
  // (kInvalidConfig "invalid config: hostname must not be empty").
  SandboxBuilder& hostname(std::string hostname);
  SandboxBuilder& shell(std::string guest_path);  // default: /bin/sh
  SandboxBuilder& label(std::string key, std::string value);
  SandboxBuilder& entrypoint(std::vector<std::string> entrypoint);
  SandboxBuilder& cmd(std::vector<std::string> cmd);
  SandboxBuilder& pull_policy(PullPolicy policy);  // default: kIfMissing
  // Plain HTTP to the image's registry when it is off the loopback interface.
  SandboxBuilder& insecure_registry(bool yes = true);
  // Progress of the image pull create() may do (see image.h).
  SandboxBuilder& on_pull_progress(PullProgressCallback callback);
  // Stop (SIGTERM, `grace`, then SIGKILL) and remove a sandbox of the same name first.
  SandboxBuilder& replace(std::chrono::milliseconds grace = std::chrono::seconds(10));
  SandboxBuilder& ephemeral(bool yes = true);  // removed with its state when it stops
  SandboxBuilder& detached(bool yes = true);   // keeps running when this process exits
  SandboxBuilder& accel(std::string accel);    // "kvm" or "tcg"; default: detect
  // "vm" (default: a microVM) or "namespace" (Linux namespaces on the host kernel: faster,
  // weaker isolation; needs root).
  SandboxBuilder& isolation(std::string isolation);
  // The writable root layer as a disk of `size_bytes` (vm engine: a sparse ext4 disk, kept
  // across stops; a whole number of MiB from 64 MiB to 2 TiB). Default: a 4 GiB disk (vm)
  // or a host directory without a size (namespace, which refuses any size: create() throws
  // kUnsupported; use root_disk_tmpfs() there). Bounds are checked by create()
  // (kInvalidConfig).
  SandboxBuilder& root_disk(uint64_t size_bytes);
  // The writable root layer as a tmpfs of `size_bytes` (0: half the memory), empty at every
  // start; its files count against the sandbox's memory, so at most memory_mib() MiB
  // (create() throws kInvalidConfig otherwise). Both engines. Replaces root_disk().
  SandboxBuilder& root_disk_tmpfs(uint64_t size_bytes = 0);
  // The network: policy, published ports, DNS and limits (network.h). Default: Network(),
  // the "public" preset. Checked by create(), which throws kInvalidConfig for a bad rule,
  // preset, port or limit before anything is created.
  SandboxBuilder& network(const Network& network);
  // No network interface at all (as `msb --no-net`), whatever network() says; published
  // ports then fail create() with kInvalidConfig.
  SandboxBuilder& disable_network();
  // Mounts `mount` (mount.h) at `guest_path` (absolute, e.g. "/data"); repeatable, mounted
  // parents first. Checked by create(): kInvalidConfig for a bad path, a missing host path
  // or a guest path used twice, before anything is created.
  SandboxBuilder& volume(std::string guest_path, const Mount& mount);
  // Adds a rootfs patch (patch.h), applied after the ones before it when create() boots
  // the sandbox. Checked by create(): kInvalidConfig for a bad path, mode or missing host
  // source before anything is created; a patch that cannot apply fails create() with
  // kInvalidConfig "patch <index> (<kind> <path>): <reason>" and leaves no sandbox.
  SandboxBuilder& patch(const Patch& patch);
  // Boots the host directory `path` as the root, read-only under the sandbox's own writable
  // layer (as an image is). namespace: the directory itself; vm: packed into an erofs disk
  // at every start, so the guest sees the directory as it was when the sandbox started.
  SandboxBuilder& rootfs_dir(std::string path);
  // Boots the disk image `path` (raw) holding filesystem `fstype` as the root, read-only
  // under the sandbox's writable layer. vm: ext4 or erofs; namespace: also xfs, btrfs,
  // squashfs. No image defaults apply (env, cmd, user come from the builder only).
  SandboxBuilder& rootfs_image(std::string path, std::string fstype = "ext4");
  // Starts from disk snapshot `name` (snapshot.h): its image (by digest, never pulled) and
  // a copy of its writable layer; image() is ignored. The engine defaults to the
  // snapshot's; an explicit isolation() of the other engine fails create() with
  // kInvalidConfig. create() throws kNotFound for an unknown snapshot, kImageNotFound when
  // its image is gone from the store (the message says how to get it back), kIntegrity when
  // its layer is damaged.
  SandboxBuilder& from_snapshot(std::string name);

  // Boots the sandbox and returns once its agent is ready. Attached unless detached(): it
  // stops when this process exits, and the handle owns its lifecycle (owns_lifecycle()).
  // In order: the settings are validated; without replace(), a name in use fails with
  // kAlreadyExists before any image is pulled; the image is pulled; with replace(), the
  // old sandbox is stopped and removed only now (a failed pull leaves it as it was); the
  // patches are applied last, before create() returns (one that fails removes the sandbox).
  // Errors: kInvalidConfig, kAlreadyExists, kImageNotFound, kBootFailed, kTimeout, the
  // pull's errors. Thread-safe with respect to other builders.
  Sandbox create();
  // create() with detached(true): the sandbox outlives this process, and the handle does
  // not own its lifecycle (no wait()).
  Sandbox create_detached();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class MSB_EXPORT Sandbox {
 public:
  static SandboxBuilder builder(std::string name);
  // Boots a stopped or crashed sandbox again from its stored config, which is validated
  // again first. Attached, as create(): it stops when this process exits, and the handle
  // owns its lifecycle. Errors: kNotFound (sandbox, its directory or disk), kStillRunning
  // (running or draining: "already running"; paused or created: "status is <status>
  // (expected Stopped or Crashed)"), kInvalidConfig (the stored config is damaged),
  // kBootFailed, kTimeout. Thread-safe.
  static Sandbox start(const std::string& name);
  // start() that leaves the sandbox running after this process exits (as `msb start`); the
  // handle does not own its lifecycle. Same errors. Thread-safe.
  static Sandbox start_detached(const std::string& name);
  // A handle on a sandbox this process did not start: exec, stop, logs, but not its
  // lifecycle (owns_lifecycle() is false). Errors: kNotFound. Thread-safe.
  static Sandbox connect(const std::string& name);
  // The recorded state of sandbox `name`. Errors: kNotFound. Thread-safe.
  static SandboxInfo get(const std::string& name);
  // The first page (SandboxListOptions::kDefaultLimit, newest first) of the sandboxes
  // whose labels include every pair of `labels`; list_page() reads further. Thread-safe.
  static std::vector<SandboxInfo> list(const std::map<std::string, std::string>& labels = {});
  // One page of sandboxes, newest first (created_at descending, ties broken by creation
  // order). Sandboxes created while paging do not shift later pages. Errors:
  // kInvalidArgument (limit 0 or over kMaxLimit; a cursor that is not a next_cursor).
  // Thread-safe.
  static SandboxPage list_page(const SandboxListOptions& options);
  // Removes a stopped sandbox with its disk and logs. Errors: kNotFound, kStillRunning.
  static void remove(const std::string& name);
  // Grows the root disk of a stopped vm sandbox to `size_bytes` (offline: the disk file
  // and its filesystem), keeping its files, and records the size; the next start sees it.
  // The same size again does nothing. Errors: kNotFound (sandbox or disk), kStillRunning
  // (not stopped or crashed), kUnsupported (namespace engine, tmpfs root disk),
  // kInvalidConfig (smaller than the disk: disks only grow; out of root_disk()'s bounds),
  // kIo (e2fsck or resize2fs failed: the disk is left as it was). Thread-safe.
  static void grow_root_disk(const std::string& name, uint64_t size_bytes);

  Sandbox(Sandbox&&) noexcept;
  Sandbox& operator=(Sandbox&&) noexcept;
  // An attached sandbox owned by this handle stops when the handle goes (without waiting).
  ~Sandbox();

  const std::string& name() const;
  // Runs `cmd` with `args` to completion. A non-zero exit is not an error, nor is a
  // timeout (see ExecOutput). Errors: kExecFailed (command missing: sys_errno ENOENT; the
  // message says which failure), kInvalidArgument (draining), kIo (the sandbox stopped).
  ExecOutput exec(const std::string& cmd, const std::vector<std::string>& args = {},
                  const ExecOptions& options = {});
  // Runs `script` with the sandbox's shell: <shell> -c <script>.
  ExecOutput shell(const std::string& script, const ExecOptions& options = {});
  // Starts `cmd` and returns at once: events (started, output, exit) as they happen, and a
  // stdin to write to. Each stream has its own connection; many may run at once.
  ExecStream exec_stream(const std::string& cmd, const std::vector<std::string>& args = {},
                         const ExecOptions& options = {});
  // Runs `cmd` on this process's stdin, stdout and stderr until it exits or the detach
  // keys are typed. With a TTY and a terminal on stdin, that terminal is raw meanwhile
  // (restored on every exit path, exceptions included) and its size follows the host's.
  // Detaching ends the session, and with it the process (there is no re-attach). While
  // it runs, SIGWINCH, SIGINT, SIGTERM and SIGHUP are blocked on the calling thread; the
  // last three end it. Errors: kInvalidArgument (bad detach_keys: checked before the
  // process starts), the errors of exec(), kCancelled (a signal; sys_errno says which),
  // kIo (the host side).
  AttachResult attach(const std::string& cmd, const std::vector<std::string>& args = {},
                      const AttachOptions& options = {});
  // attach() to the sandbox's shell (default /bin/sh), interactive on a terminal.
  AttachResult attach_shell(const AttachOptions& options = {});
  // Files inside the sandbox (guest paths).
  SandboxFs fs();

  // Asks the sandbox to shut down and returns without waiting.
  void stop();
  // Shuts down (sync + unmount in the guest) and waits; SIGKILL after `timeout`.
  void stop_and_wait(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void kill();
  // Running commands finish, new ones are refused, then the sandbox stops.
  void drain();
  // Waits until the sandbox has stopped. Only the lifecycle owner may wait: otherwise
  // kInvalidArgument, "cannot wait: not the lifecycle owner ...".
  SandboxInfo wait();
  // Lets the sandbox outlive this handle and this process; the handle no longer owns its
  // lifecycle. On a handle that does not own it: nothing happens.
  void detach();
  // Whether this handle owns the sandbox's lifecycle: it was made by an attached create()
  // or start() and not detached. Only such a handle may wait(), and the sandbox stops when
  // this process exits.
  bool owns_lifecycle() const;
  SandboxStatus status() const;
  std::string last_error() const;
  std::vector<LogEntry> logs(const LogOptions& options = {}) const;
  // Removes the stopped sandbox's record, disk and logs; the handle is spent after it.
  void remove_persisted();

  struct Impl;  // opaque: defined by the SDK's implementation

 private:
  explicit Sandbox(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend struct SandboxAccess;  // the SDK's implementation, which makes handles
};

}  // namespace microsandbox
