// Error vocabulary shared by every layer: ErrorKind, Error, Result<T>, MSB_TRY, MSB_CHECK.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace msb {

// What went wrong, coarse enough for a caller to branch on. The SDK maps these 1:1 to
// its public ErrorKind; the CLI maps them to exit codes (cli/exit_codes.h).
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
  kImageInUse,  // an image a sandbox is pinned to
  kIntegrity,   // content whose digest or size is not the one expected
};

std::string_view error_kind_name(ErrorKind kind);
// The inverse of error_kind_name; kInternal for an unknown name.
ErrorKind parse_error_kind(std::string_view name);

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  int sys_errno = 0;
  std::string message;

  // "open /x: No such file or directory" style text for humans.
  std::string to_string() const;
};

// A Result is either a value or an Error. It is [[nodiscard]]: ignoring one is a bug.
template <class T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
 public:
  using tl::expected<T, Error>::expected;
  Result(tl::expected<T, Error>&& other) : tl::expected<T, Error>(std::move(other)) {}

  // Prefixes the error message (if any) with "<what>: ".
  template <class... Args>
  Result context(fmt::format_string<Args...> what, Args&&... args) && {
    if (!this->has_value()) {
      Error& error = this->error();
      error.message = fmt::format(what, std::forward<Args>(args)...) + ": " + error.message;
    }
    return std::move(*this);
  }
};

inline tl::unexpected<Error> make_error(ErrorKind kind, std::string message, int sys_errno = 0) {
  return tl::unexpected<Error>(Error{kind, sys_errno, std::move(message)});
}

template <class... Args>
tl::unexpected<Error> err(ErrorKind kind, fmt::format_string<Args...> format, Args&&... args) {
  return make_error(kind, fmt::format(format, std::forward<Args>(args)...));
}

// An error from a failed system call: kind derived from errno, message "<what>: <strerror>".
tl::unexpected<Error> errno_error(int sys_errno, std::string what);

ErrorKind kind_from_errno(int sys_errno);

namespace detail {
template <class T>
T take_value(tl::expected<T, Error>&& result) {
  return std::move(*result);
}
inline void take_value(tl::expected<void, Error>&&) {}
}  // namespace detail

[[noreturn]] void check_failed(const char* condition, const char* file, int line);

}  // namespace msb

// Propagates the error of a Result-returning expression, else yields its value.
#define MSB_TRY(expr)                                                            \
  ({                                                                             \
    auto&& msb_try_result_ = (expr);                                             \
    if (!msb_try_result_.has_value()) [[unlikely]]                               \
      return ::tl::unexpected<::msb::Error>(std::move(msb_try_result_).error()); \
    ::msb::detail::take_value(std::move(msb_try_result_));                       \
  })

// Aborts on a broken invariant (never on bad input: that is an Error).
#define MSB_CHECK(cond)                               \
  do {                                                \
    if (!(cond)) [[unlikely]]                         \
      ::msb::check_failed(#cond, __FILE__, __LINE__); \
  } while (0)
