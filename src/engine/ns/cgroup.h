// CgroupDir: the cgroup(s) a namespace sandbox runs in, with its memory, pid and cpu
// limits. Works on cgroup v1 (one directory per controller hierarchy) and v2 (one
// directory in the unified tree); which one is detected at runtime (cgroup_v1.cc and
// cgroup_v2.cc behind cgroup_driver.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "os/fd.h"

namespace msb::engine::ns {

class CgroupDriver;

// 0 means no limit.
struct CgroupLimits {
  uint64_t memory_bytes = 0;  // memory (and memory+swap: swap is no way around it)
  uint32_t pids_max = 0;      // processes and threads together
  uint32_t cpus = 0;          // whole CPUs of bandwidth (a CFS quota), not pinning
};

// A sandbox's cgroup(s): created with limits applied, removed on destruction (after
// killing whatever is still inside and waiting until it is empty). Move-only RAII.
// Not thread-safe: one owner uses it at a time.
class CgroupDir {
 public:
  // Creates cgroup `name` (a unique leaf name such as "<sandbox>-<run id>": 1-255 bytes of
  // [A-Za-z0-9._-], not starting with '.') under an "msb" parent in every needed
  // hierarchy (v1: memory, pids, cpu; v2: the unified tree, with memory, pids and cpu
  // enabled in the parents' cgroup.subtree_control), and writes `limits`. The cgroup
  // filesystem is found at $MSB_CGROUP_ROOT, else /sys/fs/cgroup. Errors, with the path
  // in the message: kInvalidArgument (bad name), kAlreadyExists (the leaf exists),
  // kPermissionDenied, kUnsupported (no cgroup filesystem, or a controller or limit
  // file is missing), kIo. On error nothing created for `name` is left behind.
  static Result<CgroupDir> create(std::string_view name, const CgroupLimits& limits);

  CgroupDir(CgroupDir&& other) noexcept;
  CgroupDir& operator=(CgroupDir&& other) noexcept;
  CgroupDir(const CgroupDir&) = delete;
  CgroupDir& operator=(const CgroupDir&) = delete;
  // Calls remove(), ignoring its errors.
  ~CgroupDir();

  // Moves process `pid` (all its threads) into the cgroup, by writing it into
  // cgroup.procs of every hierarchy. Errors: kNotFound (no such process, or removed),
  // kPermissionDenied, kIo.
  Result<void> add_process(int pid);
  // cgroup v2: the directory, open, for clone3's CLONE_INTO_CGROUP (a child born inside);
  // nullopt on v1, where a process can only be moved in. Errors: kNotFound (removed), kIo.
  Result<std::optional<os::Fd>> open_for_clone() const;
  // The directories created, one per hierarchy; empty once removed.
  std::vector<std::string> paths() const { return paths_; }
  bool is_v2() const;
  // SECURITY: kills every process still inside (v2: cgroup.kill when the kernel has it;
  // else SIGKILL through a pidfd to each pid listed in cgroup.procs, repeated until none
  // is left), then removes the directories. Idempotent. Errors: kTimeout (processes or
  // directories still there after 10 s), kPermissionDenied, kIo.
  Result<void> remove();
  // How many times the OOM killer fired inside (v1 memory.oom_control, v2 memory.events:
  // "oom_kill"). Errors: kUnsupported (the kernel does not count), kNotFound (removed),
  // kIo.
  Result<uint64_t> oom_kills() const;

 private:
  explicit CgroupDir(const CgroupDriver& driver) : driver_(&driver) {}
  Result<void> apply_limits(const CgroupLimits& limits);
  Result<void> kill_members();
  Result<void> remove_directories();

  const CgroupDriver* driver_;
  std::vector<std::string> paths_;
};

}  // namespace msb::engine::ns
