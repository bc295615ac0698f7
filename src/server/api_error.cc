#include "server/api_error.h"

#include <cerrno>
#include <nlohmann/json.hpp>

namespace msb::server {

int http_status_for(microsandbox::ErrorKind kind) {
  using microsandbox::ErrorKind;
  switch (kind) {
    case ErrorKind::kNotFound:
    case ErrorKind::kImageNotFound:
      return 404;
    case ErrorKind::kAlreadyExists:
    case ErrorKind::kStillRunning:
    case ErrorKind::kImageInUse:
      return 409;
    case ErrorKind::kInvalidArgument:
    case ErrorKind::kInvalidConfig:
      return 400;
    case ErrorKind::kExecFailed:
      return 422;
    case ErrorKind::kTimeout:
      return 504;
    case ErrorKind::kPermissionDenied:
      return 403;
    case ErrorKind::kUnsupported:
      return 501;
    case ErrorKind::kCancelled:
      return 409;
    case ErrorKind::kBootFailed:
    case ErrorKind::kIntegrity:
    case ErrorKind::kIo:
    case ErrorKind::kProtocol:
    case ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

ApiResponse error_response(int status, const std::string& kind, const std::string& message) {
  nlohmann::json body = {{"error", {{"kind", kind}, {"message", message}}}};
  return ApiResponse{status, "application/json", body.dump()};
}

ApiResponse error_response(const microsandbox::Error& error) {
  int status = http_status_for(error.kind());
  // An I/O error from a guest file call says more through its errno ("directory not
  // empty" is a conflict, not a server fault).
  if (error.kind() == microsandbox::ErrorKind::kIo) {
    switch (error.sys_errno()) {
      case ENOTEMPTY:
      case EEXIST:
      case EBUSY:
        status = 409;
        break;
      case ENOENT:
        status = 404;
        break;
      case EACCES:
      case EPERM:
      case EROFS:
        status = 403;
        break;
      case EISDIR:
      case ENOTDIR:
      case EINVAL:
      case ENAMETOOLONG:
        status = 400;
        break;
      default:
        break;
    }
  }
  return error_response(status, microsandbox::error_kind_name(error.kind()), error.what());
}

}  // namespace msb::server
