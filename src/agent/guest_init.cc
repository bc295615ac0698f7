#include "agent/guest_init.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/reboot.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "agent/guest_disks.h"
#include "os/file.h"
#include "os/mount.h"
#include "os/system.h"

namespace msb::agent {
namespace {

constexpr const char* kLowerDir = "/mnt/lower";
constexpr const char* kUpperFsDir = "/mnt/upperfs";
constexpr const char* kNewRoot = "/newroot";

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Under TCG each block request costs milliseconds of emulated driver code, and the first
// exec of a binary faults its pages in 128 KiB read-arounds (the default): reading an image
// disk in 4 MiB windows made the first `true` ~20 ms faster. The image disk is read-only,
// so a large window only ever reads ahead clean, reclaimable pages.
constexpr const char* kImageReadAheadKib = "4096";

void set_read_ahead(const std::string& device, const char* kib) {
  std::string name = device.substr(device.rfind('/') + 1);
  (void)os::write_file("/sys/block/" + name + "/queue/read_ahead_kb", kib);
}

// The filesystem that holds the overlay's upper and work directories: the upper disk, or
// for `--root-disk tmpfs` a tmpfs of the size the host asked for (in the guest's memory,
// gone at the next boot).
Result<void> mount_upper_fs(const AgentOptions& options,
                            const std::map<std::string, std::string>& disks) {
  if (!options.upper)
    return os::mount_fs("tmpfs", kUpperFsDir, "tmpfs", MS_NOATIME,
                        "mode=0755,size=" + std::to_string(options.upper_tmpfs_bytes));
  std::string upper_dev = MSB_TRY(find_disk(disks, options.upper->serial));
  // The host formats the upper disk as a sparse file with lazy inode tables: its holes
  // read as zeros already, so ext4's background zeroing thread would only steal the
  // guest's (single, emulated) CPU from the workload.
  std::string data = options.upper->fstype == "ext4" ? "noinit_itable" : "";
  return os::mount_fs(upper_dev, kUpperFsDir, options.upper->fstype, MS_NOATIME, data);
}

}  // namespace

Result<void> mount_early_filesystems() {
  MSB_TRY(os::make_dir("/dev", 0755));
  MSB_TRY(os::make_dir("/proc", 0555));
  MSB_TRY(os::make_dir("/sys", 0555));
  MSB_TRY(os::mount_fs("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755"));
  MSB_TRY(os::mount_fs("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC));
  MSB_TRY(os::mount_fs("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC));
  // The kernel starts init without stdio when the initramfs has no /dev/console.
  Result<os::Fd> console = os::open_file("/dev/console", O_RDWR | O_NOCTTY);
  if (console) {
    for (int fd = 0; fd < 3; ++fd) (void)os::duplicate_fd(console->get(), fd);
  }
  return {};
}

Result<GuestRoot> GuestRoot::assemble(const AgentOptions& options, StepTimings& timings) {
  GuestRoot root;
  if (!options.rootfs) return root;
  std::map<std::string, std::string> disks;
  std::string lower_dev;
  {
    StepTimer timer(timings, "find_disks");
    disks = disks_by_serial();
    lower_dev = MSB_TRY(find_disk(disks, options.rootfs->serial));
  }
  set_read_ahead(lower_dev, kImageReadAheadKib);
  MSB_TRY(os::make_dirs(kLowerDir));
  {
    StepTimer timer(timings, "mount_lower");
    MSB_TRY(os::mount_fs(lower_dev, kLowerDir, options.rootfs->fstype, MS_RDONLY));
  }
  MSB_TRY(os::make_dirs(kNewRoot));
  if (options.upper || options.upper_tmpfs_bytes > 0) {
    MSB_TRY(os::make_dirs(kUpperFsDir));
    {
      StepTimer timer(timings, "mount_upper");
      MSB_TRY(mount_upper_fs(options, disks));
    }
    StepTimer timer(timings, "overlay_and_switch");
    MSB_TRY(os::make_dirs(std::string(kUpperFsDir) + "/upper"));
    MSB_TRY(os::make_dirs(std::string(kUpperFsDir) + "/work"));
    std::string data = std::string("lowerdir=") + kLowerDir + ",upperdir=" + kUpperFsDir +
                       "/upper,workdir=" + kUpperFsDir + "/work";
    // A throwaway upper disk is never synced: not when the overlay goes, not at power off.
    if (options.volatile_upper) data += ",volatile";
    MSB_TRY(os::mount_fs("overlay", kNewRoot, "overlay", 0, data));
    // A tmpfs upper has nothing to make durable at power off.
    root.has_upper_ = options.upper.has_value();
    root.volatile_upper_ = options.volatile_upper;
  } else {
    MSB_TRY(os::mount_fs(kLowerDir, kNewRoot, "", MS_BIND));
  }
  for (const char* dir : {"/dev", "/proc", "/sys"}) {
    std::string target = std::string(kNewRoot) + dir;
    MSB_TRY(os::make_dir(target, 0755));
    MSB_TRY(os::move_mount_to(dir, target));
  }
  root.initramfs_root_ = MSB_TRY(os::open_file("/", O_PATH | O_DIRECTORY));
  // The initramfs cannot be pivot_root'ed away: move the new root over it and chroot.
  MSB_TRY(os::change_dir(kNewRoot));
  MSB_TRY(os::move_mount_to(".", "/"));
  MSB_TRY(os::change_root("."));
  root.switched_ = true;
  return root;
}

void GuestRoot::tear_down() {
  // The host deletes a volatile upper disk when QEMU exits: nothing left to make durable
  // (the root disk is read-only, the rest is memory).
  if (volatile_upper_) return;
  os::sync_filesystems();
  if (!switched_ || !has_upper_) return;
  // Step back into the initramfs, where the disk mounts are still reachable by path.
  if (!os::change_dir(initramfs_root_.get()) || !os::change_root(".")) return;
  if (!os::unmount(kUpperFsDir, 0)) {
    // The overlay still holds the upper disk: at least make it clean for the next boot.
    (void)os::remount(kUpperFsDir, MS_RDONLY);
  }
  os::sync_filesystems();
}

Result<void> mount_runtime_filesystems() {
  MSB_TRY(os::make_dir("/dev/pts", 0755));
  MSB_TRY(os::mount_fs("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                       "newinstance,ptmxmode=0666,mode=0620,gid=5"));
  MSB_TRY(os::make_dir("/dev/shm", 01777));
  MSB_TRY(os::mount_fs("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"));
  MSB_TRY(os::make_dir("/tmp", 01777));
  MSB_TRY(os::mount_fs("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"));
  MSB_TRY(os::make_dir("/run", 0755));
  MSB_TRY(os::mount_fs("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"));
  (void)os::remove_file("/dev/ptmx");
  MSB_TRY(os::make_symlink("pts/ptmx", "/dev/ptmx"));
  MSB_TRY(os::make_symlink("/proc/self/fd", "/dev/fd"));
  MSB_TRY(os::make_symlink("/proc/self/fd/0", "/dev/stdin"));
  MSB_TRY(os::make_symlink("/proc/self/fd/1", "/dev/stdout"));
  MSB_TRY(os::make_symlink("/proc/self/fd/2", "/dev/stderr"));
  return {};
}

Result<os::Fd> open_agent_port() {
  for (const std::string& port : os::list_dir("/sys/class/virtio-ports")) {
    Result<std::string> name = os::read_file("/sys/class/virtio-ports/" + port + "/name");
    if (name && trim(*name) == "agent") return os::open_file("/dev/" + port, O_RDWR | O_NOCTTY);
  }
  return err(ErrorKind::kNotFound, "no virtio-serial port named 'agent'");
}

namespace {

// Reaps children until none is left (as PID 1, every user process ends up our child) or
// `timeout` passes; true when none is left.
bool reap_all(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    Result<os::ReapResult> reaped = os::reap_any_child();
    if (!reaped || reaped->no_children) return true;
    if (!reaped->child) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

}  // namespace

void power_off(GuestRoot& root) {
  // Ask processes to exit, then stop whatever could still write to the disks.
  (void)os::signal_all_processes(SIGTERM);
  if (!reap_all(std::chrono::milliseconds(200))) {
    (void)os::signal_all_processes(SIGKILL);
    (void)reap_all(std::chrono::milliseconds(1000));
  }
  root.tear_down();
  (void)os::reboot_system(RB_AUTOBOOT);
  os::exit_now(1);
}

}  // namespace msb::agent
