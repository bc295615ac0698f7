// What differs between cgroup v1 (cgroup_v1.cc) and v2 (cgroup_v2.cc), behind one
// interface that CgroupDir (cgroup.cc) picks at runtime; plus the shared helpers. The
// path and content functions are pure, so unit tests check both versions on any host.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "engine/ns/cgroup.h"

namespace msb::engine::ns {

// The directory under every hierarchy that holds all our sandboxes' cgroups.
inline constexpr std::string_view kCgroupParentName = "msb";

// One control file to write.
struct CgroupWrite {
  std::string path;   // absolute
  std::string value;  // written as is, with no newline
  // Skipped when the file does not exist (v1 memory.memsw.* without swap accounting, v2
  // memory.swap.max without swap support): there is no swap to limit then.
  bool only_if_present = false;

  bool operator==(const CgroupWrite&) const = default;
};

// The drivers are stateless singletons: thread-safe.
class CgroupDriver {
 public:
  virtual ~CgroupDriver() = default;
  virtual bool is_v2() const = 0;
  // Checks that the needed hierarchies and controllers exist under `root`, creates the
  // shared parent(s) and makes the controllers available to their children. Idempotent
  // and safe to run concurrently. Errors: kUnsupported, kPermissionDenied, kIo.
  virtual Result<void> prepare(const std::string& root) const = 0;
  // The leaf directories of cgroup `name`, one per hierarchy, in creation order.
  virtual std::vector<std::string> leaf_paths(const std::string& root,
                                              std::string_view name) const = 0;
  // The control files that apply `limits` to `leaves` (as given by leaf_paths), in the
  // order in which they must be written.
  virtual std::vector<CgroupWrite> limit_writes(const std::vector<std::string>& leaves,
                                                const CgroupLimits& limits) const = 0;
  // Asks the kernel to kill every process in `leaves` at once; false when this kernel
  // cannot (v1, v2 before 5.14) and the caller must signal pid by pid.
  virtual Result<bool> kill_all(const std::vector<std::string>& leaves) const = 0;
  // The file with the "oom_kill <count>" line.
  virtual std::string oom_counter_path(const std::vector<std::string>& leaves) const = 0;
};

const CgroupDriver& cgroup_v1_driver();
const CgroupDriver& cgroup_v2_driver();

// $MSB_CGROUP_ROOT when set and non-empty, else /sys/fs/cgroup.
std::string cgroup_root();
// v2 when `root`/cgroup.controllers exists (the unified hierarchy), else v1 when
// `root`/memory is a directory (v1, or hybrid with v1 controllers). kUnsupported else.
Result<const CgroupDriver*> detect_cgroup_driver(const std::string& root);
// kInvalidArgument unless `name` is 1-255 bytes of [A-Za-z0-9._-] not starting with '.'
// (so no '/', "." or ".." can leave the parent).
Result<void> validate_cgroup_name(std::string_view name);

// v2 cpu.max for `cpus` whole CPUs: "<quota> <period>" with a 100 ms period.
std::string cgroup_cpu_max(uint32_t cpus);
inline constexpr uint64_t kCgroupCpuPeriodUs = 100000;
// The value of `key` in a flat-keyed file ("key value" per line, as memory.events or
// memory.oom_control); nullopt when absent or not a number.
std::optional<uint64_t> parse_cgroup_counter(std::string_view text, std::string_view key);
// The pids in a cgroup.procs text (one per line).
std::vector<int> parse_cgroup_procs(std::string_view text);

// v2: which of the controllers we need (cpu, memory, pids) a space-separated list such
// as cgroup.controllers or cgroup.subtree_control lacks.
std::vector<std::string_view> cgroup_v2_missing_controllers(std::string_view controllers);
// v2: what to write to a cgroup.subtree_control that reads `subtree_control` to enable
// the missing ones ("+cpu +memory +pids"); empty when all are enabled.
std::string cgroup_v2_subtree_control_change(std::string_view subtree_control);

// mkdir for cgroup directories; `exclusive` makes an existing one kAlreadyExists. Errors
// are kPermissionDenied, kUnsupported (ENOENT: no such hierarchy), kAlreadyExists or kIo.
Result<void> cgroup_make_dir(const std::string& path, bool exclusive);
// Writes `value` to control file `path`, with the same error kinds as cgroup_make_dir.
Result<void> cgroup_write(const std::string& path, std::string_view value);
// Reads control file `path`, with the same error kinds as cgroup_make_dir.
Result<std::string> cgroup_read(const std::string& path);

}  // namespace msb::engine::ns
