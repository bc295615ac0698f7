// NsEngine::launch: the steps that start a namespace sandbox, in order. The child's side of
// each step is in child.cc; this file prepares everything it needs and does the parts that
// need the host's privileges (id maps, cgroup, the idmapped root filesystem).
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <future>
#include <optional>

#include "engine/guest_kit.h"
#include "engine/id_map.h"
#include "engine/network_option.h"
#include "engine/ns/cgroup.h"
#include "engine/ns/cgroup_sweep.h"
#include "engine/ns/child.h"
#include "engine/ns/engine.h"
#include "engine/ns/ns_instance.h"
#include "engine/ns/sandbox_network.h"
#include "engine/ns/seccomp_policy.h"
#include "engine/ns/volumes.h"
#include "os/file.h"
#include "os/fs_calls.h"
#include "os/io.h"
#include "os/loop_device.h"
#include "os/mount_api.h"
#include "os/pty.h"
#include "os/system.h"

namespace msb::engine::ns {
namespace {

constexpr int kChildSetupTimeoutMs = 30000;
// Processes and threads per sandbox: far above what builds and servers use, low enough
// that a fork bomb stops long before the host's limits.
constexpr uint32_t kPidsMax = 2048;

// Docker's default capability set: enough for package managers and servers run as root,
// without the ones that reach the kernel (SYS_ADMIN, SYS_MODULE, SYS_PTRACE, NET_ADMIN, ...).
constexpr int kKeptCapabilities[] = {
    CAP_CHOWN,      CAP_DAC_OVERRIDE, CAP_FOWNER,      CAP_FSETID,           CAP_KILL,
    CAP_SETGID,     CAP_SETUID,       CAP_SETPCAP,     CAP_NET_BIND_SERVICE, CAP_NET_RAW,
    CAP_SYS_CHROOT, CAP_MKNOD,        CAP_AUDIT_WRITE, CAP_SETFCAP};

std::vector<int> dropped_capabilities() {
  int last = CAP_LAST_CAP;
  Result<std::string> text = os::read_file("/proc/sys/kernel/cap_last_cap");
  if (text) last = std::max(last, std::atoi(text->c_str()));
  std::vector<int> dropped;
  for (int cap = 0; cap <= last; ++cap) {
    if (std::find(std::begin(kKeptCapabilities), std::end(kKeptCapabilities), cap) ==
        std::end(kKeptCapabilities))
      dropped.push_back(cap);
  }
  return dropped;
}

using Kind = MountStep::Kind;
constexpr unsigned long kNoSuidDevExec = MS_NOSUID | MS_NODEV | MS_NOEXEC;

// The filesystems of a fresh sandbox, relative to its root, in mount order.
std::vector<MountStep> mount_steps() {
  const std::string r = ".";
  std::vector<MountStep> steps = {
      {Kind::kMakeDir, "", r + "/proc", "", 0, "", 0555},
      {Kind::kMount, "proc", r + "/proc", "proc", kNoSuidDevExec, ""},
      // SECURITY: kernel tunables and trigger files stay read-only or hidden, as in runc.
      {Kind::kBindReadOnly, "", r + "/proc/sys", "", kNoSuidDevExec},
      {Kind::kBindReadOnly, "", r + "/proc/sysrq-trigger", "", kNoSuidDevExec, "", 0, true},
      {Kind::kBindReadOnly, "", r + "/proc/irq", "", kNoSuidDevExec, "", 0, true},
      {Kind::kBindReadOnly, "", r + "/proc/bus", "", kNoSuidDevExec, "", 0, true},
      {Kind::kBindReadOnly, "", r + "/proc/fs", "", kNoSuidDevExec, "", 0, true},
  };
  for (const char* hidden : {"kcore", "keys", "timer_list", "sched_debug", "latency_stats"})
    steps.push_back({Kind::kMaskFile, "", r + "/proc/" + hidden, "", 0, "", 0, true});
  steps.push_back({Kind::kMakeDir, "", r + "/sys", "", 0, "", 0555});
  steps.push_back({Kind::kMount, "sysfs", r + "/sys", "sysfs", MS_RDONLY | kNoSuidDevExec, ""});
  steps.push_back({Kind::kMakeDir, "", r + "/dev", "", 0, "", 0755});
  steps.push_back(
      {Kind::kMount, "tmpfs", r + "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755"});
  for (const char* device : {"null", "zero", "full", "random", "urandom", "tty"})
    steps.push_back({Kind::kBindFile, std::string("/dev/") + device, r + "/dev/" + device});
  steps.push_back({Kind::kMakeDir, "", r + "/dev/pts", "", 0, "", 0755});
  steps.push_back({Kind::kMount, "devpts", r + "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                   "newinstance,ptmxmode=0666,mode=0620,gid=5"});
  steps.push_back({Kind::kSymlink, "pts/ptmx", r + "/dev/ptmx"});
  steps.push_back({Kind::kSymlink, "/proc/self/fd", r + "/dev/fd"});
  steps.push_back({Kind::kSymlink, "/proc/self/fd/0", r + "/dev/stdin"});
  steps.push_back({Kind::kSymlink, "/proc/self/fd/1", r + "/dev/stdout"});
  steps.push_back({Kind::kSymlink, "/proc/self/fd/2", r + "/dev/stderr"});
  steps.push_back({Kind::kMakeDir, "", r + "/dev/shm", "", 0, "", 01777});
  steps.push_back(
      {Kind::kMount, "shm", r + "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"});
  for (const char* dir : {"/tmp", "/run"}) {
    bool is_tmp = std::strcmp(dir, "/tmp") == 0;
    steps.push_back({Kind::kMakeDir, "", r + dir, "", 0, "", is_tmp ? 01777u : 0755u});
    steps.push_back({Kind::kMount, "tmpfs", r + dir, "tmpfs", MS_NOSUID | MS_NODEV,
                     is_tmp ? "mode=1777" : "mode=755"});
  }
  return steps;
}

Result<std::string> locate_agent() {
  std::string agent = kit_dir() + "/msb-agentd";
  if (!os::is_regular_file(agent))
    return err(ErrorKind::kNotFound, "msb-agentd missing from the guest kit: {}", agent);
  return agent;
}

// The descriptors the child inherits, moved above the numbers it dup2s onto.
struct ChildFds {
  os::Fd control;
  os::Fd agent;
  os::Fd console;
  os::Fd null;
  os::Fd agent_exe;
};

// How overlayfs options name a directory or detached mount held open here.
std::string fd_path(const os::Fd& fd) { return "/proc/self/fd/" + std::to_string(fd.get()); }

std::string describe_failure(const ChildFailure& failure, const ChildPlan& plan) {
  std::string what = child_step_name(failure.step);
  if (failure.mount_index >= 0 && static_cast<size_t>(failure.mount_index) < plan.mounts.size())
    what += " " + plan.mounts[failure.mount_index].target;
  return what + ": " + std::strerror(failure.sys_errno);
}

// Waits until the child has exec'd the agent (the control socket closes) or reports a step
// that failed.
Result<void> await_exec(int control_fd, const ChildPlan& plan) {
  std::string report =
      MSB_TRY(await_child_report(control_fd, kChildSetupTimeoutMs, "namespace setup"));
  if (report.empty()) return {};
  ChildFailure failure = child_failure_from<ChildFailure>(report);
  Error error{ErrorKind::kBootFailed, failure.sys_errno,
              "namespace setup failed: " + describe_failure(failure, plan)};
  if (failure.sys_errno == EPERM || failure.sys_errno == EACCES)
    error.kind = ErrorKind::kPermissionDenied;
  return tl::unexpected(error);
}

Result<void> check_launchable(const LaunchSpec& spec, const NsEngine& engine) {
  // SECURITY: only the host's root can map a range of ids and build the idmapped root.
  if (!os::running_as_root())
    return err(ErrorKind::kPermissionDenied,
               "the namespace engine needs root on the host (run msb as root)");
  bool tmpfs_root = spec.root_tmpfs_bytes > 0;
  if (!tmpfs_root &&
      (spec.writable_layer.empty() || !engine.has_writable_layer(spec.writable_layer)))
    return err(ErrorKind::kNotFound, "writable layer missing: {}", spec.writable_layer);
  if (spec.rootfs_layers.empty())
    return err(ErrorKind::kInvalidArgument, "no root filesystem layers to launch");
  for (const std::string& layer : spec.rootfs_layers) {
    bool there = spec.rootfs_fstype.empty() ? os::is_directory(layer) : os::is_regular_file(layer);
    if (!there) return err(ErrorKind::kNotFound, "root filesystem layer missing: {}", layer);
  }
  if (!spec.rootfs_fstype.empty() && spec.rootfs_layers.size() != 1)
    return err(ErrorKind::kInvalidArgument, "a disk root is one image, got {}",
               spec.rootfs_layers.size());
  return {};
}

// A disk root's read-only lower layer: the image on an autoclear loop device, mounted by the
// host kernel and idmapped to the sandbox (as an image layer is), so its files show with
// the ids stored in the image.
Result<os::Fd> mount_disk_root(const LaunchSpec& spec, int userns_fd) {
  const std::string& image = spec.rootfs_layers.front();
  os::Fd lower = MSB_TRY(os::make_image_mount(image, spec.rootfs_fstype, /*read_only=*/true));
  MSB_TRY(std::move(os::idmap_mount(lower.get(), userns_fd, true)).context("root image {}", image));
  return lower;
}

// What the child does between clone and exec (child.cc), and the descriptors it gets.
Result<ChildPlan> plan_child(const LaunchSpec& spec, const ChildFds& fds,
                             const std::string& mount_point, std::vector<MountStep> volumes) {
  ChildPlan plan;
  plan.control_fd = fds.control.get();
  plan.agent_fd = fds.agent.get();
  plan.console_fd = fds.console.get();
  plan.null_fd = fds.null.get();
  plan.agent_exe_fd = fds.agent_exe.get();
  plan.mount_point = mount_point;
  plan.mounts = mount_steps();
  // After the sandbox's own /tmp and /run: a volume may go inside them.
  for (MountStep& volume : volumes) plan.mounts.push_back(std::move(volume));
  plan.hostname = spec.hostname;
  plan.dropped_capabilities = dropped_capabilities();
  plan.seccomp = MSB_TRY(build_seccomp_program()).instructions;
  plan.argv = {"msb-agentd", "--channel-fd=3"};
  if (spec.network) plan.argv.push_back("--net=" + agent_network_option(*spec.network));
  plan.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  plan.finalize();
  return plan;
}

// `--root-disk tmpfs`: a detached tmpfs of `size_bytes` holding the overlay's upper ("diff",
// the sandbox's "/", owned by its root) and work directories, laid out as
// create_writable_layer() lays out a host directory. Made here, like the rest of the root,
// rather than in the child: the overlay is assembled here. Its pages are charged to the
// memory cgroup of whoever writes them, the sandbox. Never attached on the host; it goes
// with the last mount that uses it.
Result<os::Fd> make_tmpfs_layer(uint64_t size_bytes) {
  os::Fd tmpfs = MSB_TRY(os::make_tmpfs_mount(size_bytes, 0700, 0, 0));
  MSB_TRY(os::make_dir_at(tmpfs.get(), "diff", 0755));
  MSB_TRY(os::make_dir_at(tmpfs.get(), "work", 0700));
  MSB_TRY(
      os::chown_at(tmpfs.get(), "diff", sandbox_uid_range().base, sandbox_gid_range().base, false));
  return tmpfs;
}

// The sandbox's root: the image's layers idmapped into the child's user namespace under an
// overlay with the writable layer. The files are owned by host ids 0..65535 on disk; the
// idmapped mount shows them to the sandbox as its own 0..65535 (host ids base..base+65535),
// unchanged on disk. `lowers` keeps the layer mounts open for as long as the caller needs.
Result<os::Fd> mount_sandbox_root(const LaunchSpec& spec, const std::string& proc,
                                  std::vector<os::Fd>& lowers) {
  os::Fd userns = MSB_TRY(os::open_file(proc + "/ns/user", O_RDONLY | O_CLOEXEC));
  std::vector<std::string> lower_paths;  // overlay lists the topmost layer first
  if (!spec.rootfs_fstype.empty()) {
    os::Fd lower = MSB_TRY(mount_disk_root(spec, userns.get()));
    lower_paths.push_back(fd_path(lower));
    lowers.push_back(std::move(lower));
  }
  for (auto layer = spec.rootfs_layers.rbegin();
       spec.rootfs_fstype.empty() && layer != spec.rootfs_layers.rend(); ++layer) {
    os::Fd lower = MSB_TRY(os::clone_mount_tree(*layer));
    MSB_TRY(std::move(os::idmap_mount(lower.get(), userns.get(), true))
                .context("image layer {}", *layer));
    lower_paths.push_back(fd_path(lower));
    lowers.push_back(std::move(lower));
  }
  if (spec.root_tmpfs_bytes > 0) {
    os::Fd tmpfs = MSB_TRY(make_tmpfs_layer(spec.root_tmpfs_bytes));
    std::string base = fd_path(tmpfs);
    lowers.push_back(std::move(tmpfs));  // held until the overlay has its upper and work
    // Volatile: a tmpfs cannot outlive the run, so syncing the overlay would buy nothing.
    return os::make_overlay_mount(lower_paths, base + "/diff", base + "/work",
                                  os::UpperDurability::kVolatile)
        .context("tmpfs root layer");
  }
  // By descriptor, like the lowers: the sandbox's /proc/mounts shows the option strings,
  // and the host's paths (where $MSB_HOME is) are none of its business.
  os::Fd upper = MSB_TRY(
      os::open_file(NsEngine::upper_dir(spec.writable_layer), O_PATH | O_DIRECTORY | O_CLOEXEC));
  os::Fd work = MSB_TRY(
      os::open_file(NsEngine::work_dir(spec.writable_layer), O_PATH | O_DIRECTORY | O_CLOEXEC));
  os::UpperDurability durability =
      spec.ephemeral ? os::UpperDurability::kVolatile : os::UpperDurability::kSynced;
  // The option strings name only descriptors: the context says which layer they were.
  return os::make_overlay_mount(lower_paths, fd_path(upper), fd_path(work), durability)
      .context("writable layer {}", spec.writable_layer);
}

}  // namespace

Result<std::unique_ptr<Instance>> NsEngine::launch(const LaunchSpec& spec) {
  StepTimings unreported;
  StepTimings& steps = spec.timings ? *spec.timings : unreported;
  std::optional<StepTimer> step(std::in_place, steps, "ns.prepare");
  MSB_TRY(check_launchable(spec, *this));
  std::string agent = MSB_TRY(locate_agent());
  // The mount point lives in the run directory: empty on the host, the sandbox's root in
  // its own mount namespace.
  std::string mount_point = spec.run_dir + "/root";
  MSB_TRY(os::make_dirs(mount_point));
  std::string console_log =
      spec.console_log.empty() ? spec.runtime_dir + "/console.log" : spec.console_log;
  os::SocketPair channel = MSB_TRY(os::make_socketpair(SOCK_STREAM));
  os::SocketPair control = MSB_TRY(os::make_socketpair(SOCK_STREAM));
  ChildFds fds;
  fds.control = MSB_TRY(move_above_child_fds(std::move(control.second)));
  fds.agent = MSB_TRY(move_above_child_fds(std::move(channel.second)));
  fds.console = MSB_TRY(move_above_child_fds(MSB_TRY(
      os::open_file(console_log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600))));
  fds.null = MSB_TRY(move_above_child_fds(MSB_TRY(os::open_file("/dev/null", O_RDWR | O_CLOEXEC))));
  fds.agent_exe =
      MSB_TRY(move_above_child_fds(MSB_TRY(os::open_file(agent, O_RDONLY | O_CLOEXEC))));
  step.emplace(steps, "ns.volumes");
  VolumeMounts volumes = MSB_TRY(prepare_volumes(spec.volumes));
  ChildPlan plan = MSB_TRY(plan_child(spec, fds, mount_point, std::move(volumes.steps)));

  step.emplace(steps, "ns.cgroup");
  // Supervisors killed with SIGKILL could not remove theirs.
  sweep_stale_cgroups();
  CgroupLimits limits{uint64_t{spec.memory_mib} << 20, kPidsMax, spec.cpus};
  CgroupDir cgroup = MSB_TRY(
      std::move(CgroupDir::create(spec.instance_name, limits)).context("cgroup for sandbox"));
  std::optional<os::Fd> cgroup_fd = MSB_TRY(cgroup.open_for_clone());

  step.emplace(steps, "ns.clone");
  ClonedChild cloned = MSB_TRY(clone_sandbox_child(plan, cgroup_fd ? cgroup_fd->get() : -1));
  os::ChildProcess init = os::ChildProcess::adopt(cloned.pid, std::move(cloned.pidfd));
  fds.control.reset();  // the child's copy; ours is control.first
  // Everything the sandbox will ever run descends from this process: it is born in the
  // cgroup (v2), or joins it before it runs anything of the sandbox's (the child waits for
  // its root below, sent only once it has joined). On cgroup v1 the first move into a
  // cgroup waits for an RCU grace period (6-20 ms here), so it runs next to the id maps
  // and the root mounts. The future joins the thread on every return, before `cgroup` goes.
  std::future<Result<void>> joined;
  if (!cloned.in_cgroup)
    joined = std::async(std::launch::async,
                        [&cgroup, pid = cloned.pid] { return cgroup.add_process(pid); });

  step.emplace(steps, "ns.id_maps");
  std::string proc = "/proc/" + std::to_string(cloned.pid);
  // Root inside is the first id of an unprivileged host range.
  MSB_TRY(os::write_file(proc + "/uid_map", id_map_line(sandbox_uid_range())));
  MSB_TRY(os::write_file(proc + "/gid_map", id_map_line(sandbox_gid_range())));

  step.emplace(steps, "ns.network");
  std::optional<NetworkEndpoint> network = MSB_TRY(set_up_sandbox_network(proc, spec.network));

  step.emplace(steps, "ns.root");
  std::vector<os::Fd> lowers;
  os::Fd root = MSB_TRY(mount_sandbox_root(spec, proc, lowers));

  step.emplace(steps, "ns.await_exec");
  if (joined.valid()) MSB_TRY(joined.get());
  MSB_TRY(os::send_fd(control.first.get(), root.get(), 'g'));
  MSB_TRY(await_exec(control.first.get(), plan));
  step.reset();
  auto instance = std::make_unique<NsInstance>(std::move(cgroup), std::move(init),
                                               std::move(channel.first), console_log, mount_point);
  if (network) instance->attach_network(std::move(*network));
  return std::unique_ptr<Instance>(std::move(instance));
}

}  // namespace msb::engine::ns
