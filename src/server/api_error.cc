#include "server/api_error.h"

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
  return error_response(http_status_for(error.kind()), microsandbox::error_kind_name(error.kind()),
                        error.what());
}

}  // namespace msb::server
