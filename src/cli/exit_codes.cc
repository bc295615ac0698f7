#include "cli/exit_codes.h"

#include <cerrno>

namespace msb::cli {

ExitCode exit_code_for(const Error& error) {
  switch (error.kind) {
    case ErrorKind::kInvalidArgument:
    case ErrorKind::kInvalidConfig:
      return kExitUsage;
    case ErrorKind::kTimeout:
      return kExitTimeout;
    case ErrorKind::kExecFailed:
      return error.sys_errno == ENOENT ? kExitCommandNotFound : kExitCannotInvoke;
    case ErrorKind::kCancelled:
      return static_cast<ExitCode>(128 + (error.sys_errno > 0 ? error.sys_errno : 2));
    default:
      return kExitMsbFailed;
  }
}

}  // namespace msb::cli
