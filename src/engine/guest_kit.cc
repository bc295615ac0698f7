#include "engine/guest_kit.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <vector>

#include "common/paths.h"
#include "os/child_process.h"
#include "os/file.h"
#include "os/self_location.h"

#ifndef MSB_GUEST_KERNEL_ID
#error "MSB_GUEST_KERNEL_ID must be defined by the build (guest/kernel/build.sh --print-id)"
#endif

namespace msb::engine {
namespace {

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

std::string kit_dir() {
  std::string dir = env_or_empty("MSB_KIT_DIR");
  if (!dir.empty()) return dir;
  // An install puts the kit at <prefix>/share/microsandbox, beside <prefix>/bin/msb and
  // msb-runtime and <prefix>/lib/libmicrosandbox.so: look from this program, from the
  // library that holds this code, then from the msb-runtime a program linked statically
  // would start (MSB_RUNTIME, else on PATH).
  // Cheapest first, each only when the one before found nothing: from this program's bin/
  // (msb, msb-runtime) the kit is ../share/microsandbox; from the library's directory, what
  // the install's layout says (MSB_LIBDIR_TO_DATADIR); from the msb-runtime a statically
  // linked program would start (MSB_RUNTIME, else on PATH), its ../share/microsandbox.
  auto found = [](const std::string& candidate) -> std::optional<std::string> {
    std::string normal = std::filesystem::path(candidate).lexically_normal().string();
    if (os::is_directory(normal)) return normal;
    return std::nullopt;
  };
  std::string own = os::executable_dir();
  if (!own.empty())
    if (auto kit = found(own + "/../share/microsandbox")) return *kit;
  std::string library = os::object_dir(reinterpret_cast<const void*>(&kit_dir));
  if (!library.empty() && library != own)
    if (auto kit = found(library + "/" MSB_LIBDIR_TO_DATADIR "/microsandbox")) return *kit;
  std::string runtime = env_or_empty("MSB_RUNTIME");
  if (runtime.empty()) runtime = os::find_host_executable("msb-runtime").value_or("");
  if (!runtime.empty())
    if (auto kit =
            found(std::filesystem::path(runtime).parent_path().string() + "/../share/microsandbox"))
      return *kit;
  // Where it should have been, for the error that names it.
  return std::filesystem::path(os::executable_dir() + "/../share/microsandbox")
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
