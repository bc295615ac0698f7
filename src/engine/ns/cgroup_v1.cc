// cgroup v1: one directory per controller hierarchy (memory, pids, cpu), each mounted
// separately under the root (cpu may be a symlink to a co-mounted "cpu,cpuacct").
#include <array>

#include "engine/ns/cgroup_driver.h"
#include "os/file.h"

namespace msb::engine::ns {
namespace {

// In leaf_paths order: memory first, pids second, cpu third.
constexpr std::array<std::string_view, 3> kHierarchies = {"memory", "pids", "cpu"};

class CgroupV1Driver final : public CgroupDriver {
 public:
  bool is_v2() const override { return false; }

  Result<void> prepare(const std::string& root) const override {
    for (std::string_view hierarchy : kHierarchies) {
      std::string dir = root + "/" + std::string(hierarchy);
      if (!os::is_regular_file(dir + "/cgroup.procs")) {
        return err(ErrorKind::kUnsupported, "cgroup v1 hierarchy {} is not mounted", dir);
      }
      MSB_TRY(cgroup_make_dir(dir + "/" + std::string(kCgroupParentName), /*exclusive=*/false));
    }
    return {};
  }

  std::vector<std::string> leaf_paths(const std::string& root,
                                      std::string_view name) const override {
    std::vector<std::string> paths;
    for (std::string_view hierarchy : kHierarchies) {
      paths.push_back(root + "/" + std::string(hierarchy) + "/" + std::string(kCgroupParentName) +
                      "/" + std::string(name));
    }
    return paths;
  }

  std::vector<CgroupWrite> limit_writes(const std::vector<std::string>& leaves,
                                        const CgroupLimits& limits) const override {
    const std::string& memory = leaves.at(0);
    const std::string& pids = leaves.at(1);
    const std::string& cpu = leaves.at(2);
    std::vector<CgroupWrite> writes;
    if (limits.memory_bytes != 0) {
      std::string bytes = std::to_string(limits.memory_bytes);
      writes.push_back({memory + "/memory.limit_in_bytes", bytes});
      // SECURITY: memory+swap gets the same limit (after the memory limit: the kernel
      // wants memsw >= memory), so that swapping out is no way past the memory limit.
      writes.push_back({memory + "/memory.memsw.limit_in_bytes", bytes, true});
    }
    if (limits.pids_max != 0)
      writes.push_back({pids + "/pids.max", std::to_string(limits.pids_max)});
    if (limits.cpus != 0) {
      writes.push_back({cpu + "/cpu.cfs_period_us", std::to_string(kCgroupCpuPeriodUs)});
      writes.push_back(
          {cpu + "/cpu.cfs_quota_us", std::to_string(uint64_t{limits.cpus} * kCgroupCpuPeriodUs)});
    }
    return writes;
  }

  // v1 has no cgroup.kill: the caller signals pid by pid.
  Result<bool> kill_all(const std::vector<std::string>&) const override { return false; }

  std::string oom_counter_path(const std::vector<std::string>& leaves) const override {
    return leaves.at(0) + "/memory.oom_control";
  }
};

}  // namespace

const CgroupDriver& cgroup_v1_driver() {
  static const CgroupV1Driver driver;
  return driver;
}

}  // namespace msb::engine::ns
