#include "common/error.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace msb {

std::string_view error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInternal:
      return "internal";
    case ErrorKind::kInvalidArgument:
      return "invalid-argument";
    case ErrorKind::kInvalidConfig:
      return "invalid-config";
    case ErrorKind::kNotFound:
      return "not-found";
    case ErrorKind::kAlreadyExists:
      return "already-exists";
    case ErrorKind::kStillRunning:
      return "still-running";
    case ErrorKind::kPermissionDenied:
      return "permission-denied";
    case ErrorKind::kIo:
      return "io";
    case ErrorKind::kProtocol:
      return "protocol";
    case ErrorKind::kBootFailed:
      return "boot-failed";
    case ErrorKind::kExecFailed:
      return "exec-failed";
    case ErrorKind::kTimeout:
      return "timeout";
    case ErrorKind::kCancelled:
      return "cancelled";
    case ErrorKind::kImageNotFound:
      return "image-not-found";
    case ErrorKind::kUnsupported:
      return "unsupported";
    case ErrorKind::kImageInUse:
      return "image-in-use";
    case ErrorKind::kIntegrity:
      return "integrity";
  }
  return "unknown";
}

ErrorKind parse_error_kind(std::string_view name) {
  for (int kind = 0; kind <= static_cast<int>(ErrorKind::kIntegrity); ++kind) {
    if (error_kind_name(static_cast<ErrorKind>(kind)) == name) return static_cast<ErrorKind>(kind);
  }
  return ErrorKind::kInternal;
}

std::string Error::to_string() const { return message; }

ErrorKind kind_from_errno(int sys_errno) {
  switch (sys_errno) {
    case ENOENT:
      return ErrorKind::kNotFound;
    case EEXIST:
      return ErrorKind::kAlreadyExists;
    case EACCES:
    case EPERM:
      return ErrorKind::kPermissionDenied;
    case ETIMEDOUT:
      return ErrorKind::kTimeout;
    case EINVAL:
      return ErrorKind::kInvalidArgument;
    case ENOSYS:
    case EOPNOTSUPP:
      return ErrorKind::kUnsupported;
    default:
      return ErrorKind::kIo;
  }
}

tl::unexpected<Error> errno_error(int sys_errno, std::string what) {
  return make_error(kind_from_errno(sys_errno), what + ": " + std::strerror(sys_errno), sys_errno);
}

void check_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "MSB_CHECK failed: %s at %s:%d\n", condition, file, line);
  std::abort();
}

}  // namespace msb
