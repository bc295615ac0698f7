#include "engine/ns/cgroup_sweep.h"

#include <fcntl.h>

#include <cctype>
#include <filesystem>
#include <string>

#include "engine/ns/cgroup_driver.h"
#include "os/file.h"
#include "os/fs_calls.h"

namespace msb::engine::ns {
namespace {

// The pid a leaf name ends with ("job-3-4242" -> 4242), or 0.
int owner_pid(const std::string& name) {
  size_t digits = name.size();
  while (digits > 0 && std::isdigit(static_cast<unsigned char>(name[digits - 1]))) --digits;
  if (digits == 0 || digits == name.size() || name[digits - 1] != '-') return 0;
  if (name.size() - digits > 9) return 0;
  return std::stoi(name.substr(digits));
}

}  // namespace

void sweep_stale_cgroups() {
  std::string root = cgroup_root();
  Result<const CgroupDriver*> driver = detect_cgroup_driver(root);
  if (!driver) return;
  for (const std::string& probe : (*driver)->leaf_paths(root, "probe")) {
    std::string parent = std::filesystem::path(probe).parent_path().string();
    for (const std::string& name : os::list_dir(parent)) {
      int pid = owner_pid(name);
      if (pid <= 0 || os::path_exists("/proc/" + std::to_string(pid))) continue;
      (void)os::unlink_at(AT_FDCWD, parent + "/" + name, true);
    }
  }
}

}  // namespace msb::engine::ns
