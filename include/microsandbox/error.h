// The one exception type of the microsandbox SDK.
#pragma once

#include <stdexcept>
#include <string>

#include "microsandbox/export.h"

namespace microsandbox {

// What went wrong, to branch on. The message says what and what to do.
enum class ErrorKind {
  kInternal,
  kInvalidArgument,
  kInvalidConfig,
  kNotFound,
  kAlreadyExists,
  kStillRunning,
  kPermissionDenied,
  kIo,
  kProtocol,
  kBootFailed,
  kExecFailed,
  kTimeout,
  kCancelled,
  kImageNotFound,
  kUnsupported,
  kImageInUse,  // the image is used by a sandbox (remove with force)
  kIntegrity,   // downloaded or stored content does not match its digest
};

// "not-found", "already-exists", ...
MSB_EXPORT const char* error_kind_name(ErrorKind kind);

// Thrown by every SDK call that fails.
class MSB_EXPORT Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, int sys_errno = 0)
      : std::runtime_error(message), kind_(kind), sys_errno_(sys_errno) {}
  ErrorKind kind() const { return kind_; }
  // The errno behind the error when there is one (e.g. ENOENT for a missing command).
  int sys_errno() const { return sys_errno_; }

 private:
  ErrorKind kind_;
  int sys_errno_;
};

}  // namespace microsandbox
