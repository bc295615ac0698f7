#include "engine/guest_kit.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>

#include "common/paths.h"
#include "os/child_process.h"
#include "os/file.h"

#ifndef MSB_GUEST_KERNEL_ID
#error "MSB_GUEST_KERNEL_ID must be defined by the build (guest/kernel/build.sh --print-id)"
#endif

namespace msb::engine {
namespace {

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::string executable_dir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "." : exe.parent_path().string();
}

}  // namespace

std::string kit_dir() {
  std::string dir = env_or_empty("MSB_KIT_DIR");
  if (!dir.empty()) return dir;
  return std::filesystem::path(executable_dir() + "/../share/microsandbox")
      .lexically_normal()
      .string();
}

Result<GuestKit> locate_guest_kit() {
  GuestKit kit;
  std::string kit_path = kit_dir();
  std::string qemu = env_or_empty("MSB_QEMU");
  Result<std::string> found = os::find_host_executable(qemu.empty() ? "qemu-system-x86_64" : qemu);
  if (!found) {
    return err(ErrorKind::kNotFound,
               "QEMU not found ({}); install it with: apt-get install qemu-system-x86",
               found.error().message);
  }
  kit.qemu = *found;

  kit.kernel = env_or_empty("MSB_KERNEL");
  std::string cached = msb_home() + "/kernel/" MSB_GUEST_KERNEL_ID "/vmlinux";
  if (kit.kernel.empty())
    kit.kernel = os::is_regular_file(kit_path + "/vmlinux") ? kit_path + "/vmlinux" : cached;
  if (!os::is_regular_file(kit.kernel)) {
    return err(ErrorKind::kNotFound,
               "guest kernel missing: {}; build it with guest/kernel/build.sh "
               "(scripts/setup.sh does this)",
               kit.kernel);
  }
  kit.initramfs = kit_path + "/initramfs.cpio";
  kit.base_image = kit_path + "/base.erofs";
  for (const std::string* file : {&kit.initramfs, &kit.base_image}) {
    if (!os::is_regular_file(*file)) {
      return err(ErrorKind::kNotFound,
                 "guest kit file missing: {}; rebuild with scripts/setup.sh "
                 "or set MSB_KIT_DIR",
                 *file);
    }
  }
  return kit;
}

}  // namespace msb::engine
