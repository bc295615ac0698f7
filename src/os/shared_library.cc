#include "os/shared_library.h"

#include <dlfcn.h>

#include <utility>

namespace msb::os {
namespace {

std::string last_error() {
  const char* reason = dlerror();
  return reason != nullptr ? reason : "unknown reason";
}

}  // namespace

Result<SharedLibrary> SharedLibrary::open(const std::string& soname) {
  void* handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr)
    return err(ErrorKind::kUnsupported, "cannot load {}: {}", soname, last_error());
  return SharedLibrary(handle, soname);
}

SharedLibrary::SharedLibrary(SharedLibrary&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), soname_(std::move(other.soname_)) {}

SharedLibrary& SharedLibrary::operator=(SharedLibrary&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) dlclose(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
    soname_ = std::move(other.soname_);
  }
  return *this;
}

SharedLibrary::~SharedLibrary() {
  if (handle_ != nullptr) dlclose(handle_);
}

Result<void*> SharedLibrary::symbol(const char* name) const {
  MSB_CHECK(handle_ != nullptr);
  dlerror();  // clear: a symbol may legitimately be null
  void* address = dlsym(handle_, name);
  if (address == nullptr)
    return err(ErrorKind::kUnsupported, "{} lacks {}: {}", soname_, name, last_error());
  return address;
}

void SharedLibrary::keep_loaded() && { handle_ = nullptr; }

}  // namespace msb::os
