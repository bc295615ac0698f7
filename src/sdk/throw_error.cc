#include "sdk/throw_error.h"

namespace msb::sdk {

// The two enums list the same kinds in the same order (checked by a unit test).
[[noreturn]] void throw_error(const Error& error) {
  throw microsandbox::Error(static_cast<microsandbox::ErrorKind>(error.kind), error.message,
                            error.sys_errno);
}

}  // namespace msb::sdk

namespace microsandbox {

const char* error_kind_name(ErrorKind kind) {
  return msb::error_kind_name(static_cast<msb::ErrorKind>(kind)).data();
}

}  // namespace microsandbox
