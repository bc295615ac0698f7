#include "os/self_location.h"

#include <dlfcn.h>

#include <filesystem>

namespace msb::os {

std::string executable_dir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "" : exe.parent_path().string();
}

std::string object_dir(const void* address) {
  Dl_info info{};
  if (dladdr(address, &info) == 0 || info.dli_fname == nullptr) return "";
  // A shared library's name is the path the loader opened; the main program's is its
  // argv[0], which may be relative or a bare name found on PATH: /proc/self/exe knows.
  if (info.dli_fname[0] != '/') return executable_dir();
  std::error_code ec;
  std::filesystem::path object = std::filesystem::canonical(info.dli_fname, ec);
  return ec ? "" : object.parent_path().string();
}

}  // namespace msb::os
