// Shared libraries loaded at first use (dlopen(3)) rather than when the program starts: a
// library with a long tail of dependencies (libcurl pulls in about thirty) costs every
// start of `msb` and of the supervisor ~10 ms, though only a pull needs it.
#pragma once

#include <string>

#include "common/error.h"

namespace msb::os {

class SharedLibrary {
 public:
  // dlopen(`soname`, RTLD_NOW | RTLD_LOCAL). Errors: kUnsupported naming the library and
  // the loader's reason (not installed, wrong architecture). Thread-safe.
  static Result<SharedLibrary> open(const std::string& soname);

  SharedLibrary(SharedLibrary&& other) noexcept;
  SharedLibrary& operator=(SharedLibrary&& other) noexcept;
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;
  ~SharedLibrary();  // dlclose: nothing resolved from it may be used afterwards

  // The address of `name`. Errors: kUnsupported when the library lacks it (too old).
  Result<void*> symbol(const char* name) const;
  // symbol(), stored as the function pointer type of `out` (declare `out` with
  // decltype(&function) so that its type comes from the library's header).
  template <typename Function>
  Result<void> resolve(const char* name, Function& out) const {
    out = reinterpret_cast<Function>(MSB_TRY(symbol(name)));
    return {};
  }

  // Keeps the library loaded until the process exits, for state that lives as long as the
  // process (a library initialized once, whose functions other threads may still call
  // while static destructors run).
  void keep_loaded() &&;

  const std::string& soname() const { return soname_; }

 private:
  SharedLibrary(void* handle, std::string soname) : handle_(handle), soname_(std::move(soname)) {}
  void* handle_ = nullptr;
  std::string soname_;
};

// The function table of a library loaded at first use (curl_api, archive_api, libcrypto_api
// are built on these). `load` runs once per Api type, on the first call, thread-safely; its
// table or its error (prefixed with `what`, which names the package to install) is kept for
// the life of the process.
template <typename Api>
const Result<Api>& load_api_once(Result<Api> (*load)(), const char* what) {
  static const Result<Api> loaded = std::move(load()).context("{}", what);
  return loaded;
}

// The loaded table, or its load error.
template <typename Api>
Result<const Api*> api_or_error(const Result<Api>& loaded) {
  if (!loaded) return tl::unexpected(loaded.error());
  return &*loaded;
}

// The loaded table, for code that runs only after a successful api_or_error(); a failed
// load here is a fatal error that prints the load error.
template <typename Api>
const Api& checked_api(const Result<Api>& loaded) {
  if (!loaded) [[unlikely]]
    check_failed(loaded.error().message.c_str(), __FILE__, __LINE__);
  return *loaded;
}

}  // namespace msb::os
