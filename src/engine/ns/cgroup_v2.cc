// cgroup v2: one directory in the unified hierarchy; the controllers must be enabled in
// every ancestor's cgroup.subtree_control for the leaf to get their files.
#include <algorithm>
#include <array>

#include "engine/ns/cgroup_driver.h"
#include "os/file.h"

namespace msb::engine::ns {
namespace {

constexpr std::array<std::string_view, 3> kControllers = {"cpu", "memory", "pids"};

bool lists(std::string_view text, std::string_view controller) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find_first_of(" \n", start);
    if (end == std::string_view::npos) end = text.size();
    if (text.substr(start, end - start) == controller) return true;
    start = end + 1;
  }
  return false;
}

// Makes our controllers available to the children of `dir`.
Result<void> enable_controllers(const std::string& dir) {
  std::string path = dir + "/cgroup.subtree_control";
  std::string change = cgroup_v2_subtree_control_change(MSB_TRY(cgroup_read(path)));
  if (change.empty()) return {};
  return cgroup_write(path, change);
}

class CgroupV2Driver final : public CgroupDriver {
 public:
  bool is_v2() const override { return true; }

  // REQUIRES: `root` holds no processes of its own unless it is the real root (v2 allows
  // controllers in subtree_control only on cgroups without member processes).
  Result<void> prepare(const std::string& root) const override {
    std::string available = MSB_TRY(cgroup_read(root + "/cgroup.controllers"));
    std::vector<std::string_view> missing = cgroup_v2_missing_controllers(available);
    if (!missing.empty()) {
      return err(ErrorKind::kUnsupported, "cgroup v2 controller {} not available in {}",
                 missing.front(), root + "/cgroup.controllers");
    }
    MSB_TRY(enable_controllers(root));
    std::string parent = root + "/" + std::string(kCgroupParentName);
    MSB_TRY(cgroup_make_dir(parent, /*exclusive=*/false));
    return enable_controllers(parent);
  }

  std::vector<std::string> leaf_paths(const std::string& root,
                                      std::string_view name) const override {
    return {root + "/" + std::string(kCgroupParentName) + "/" + std::string(name)};
  }

  std::vector<CgroupWrite> limit_writes(const std::vector<std::string>& leaves,
                                        const CgroupLimits& limits) const override {
    const std::string& leaf = leaves.at(0);
    std::vector<CgroupWrite> writes;
    if (limits.memory_bytes != 0) {
      writes.push_back({leaf + "/memory.max", std::to_string(limits.memory_bytes)});
      // SECURITY: no swap at all, so that swapping out is no way past memory.max.
      writes.push_back({leaf + "/memory.swap.max", "0", true});
    }
    if (limits.pids_max != 0)
      writes.push_back({leaf + "/pids.max", std::to_string(limits.pids_max)});
    if (limits.cpus != 0) writes.push_back({leaf + "/cpu.max", cgroup_cpu_max(limits.cpus)});
    return writes;
  }

  // cgroup.kill (Linux 5.14+) kills every process inside, including ones forking
  // meanwhile, in one step.
  Result<bool> kill_all(const std::vector<std::string>& leaves) const override {
    std::string kill = leaves.at(0) + "/cgroup.kill";
    if (!os::path_exists(kill)) return false;
    MSB_TRY(cgroup_write(kill, "1"));
    return true;
  }

  std::string oom_counter_path(const std::vector<std::string>& leaves) const override {
    return leaves.at(0) + "/memory.events";
  }
};

}  // namespace

std::vector<std::string_view> cgroup_v2_missing_controllers(std::string_view controllers) {
  std::vector<std::string_view> missing;
  for (std::string_view controller : kControllers) {
    if (!lists(controllers, controller)) missing.push_back(controller);
  }
  return missing;
}

std::string cgroup_v2_subtree_control_change(std::string_view subtree_control) {
  std::string change;
  for (std::string_view controller : cgroup_v2_missing_controllers(subtree_control)) {
    if (!change.empty()) change += ' ';
    change += "+" + std::string(controller);
  }
  return change;
}

const CgroupDriver& cgroup_v2_driver() {
  static const CgroupV2Driver driver;
  return driver;
}

}  // namespace msb::engine::ns
