// What both engines' post-fork children (engine/ns/child.cc, engine/vm/volume_server_child.cc)
// need from their parent: descriptors out of the way of the child's dup2s, the pointer arrays
// execve takes (the child cannot allocate), and the wait for its exec. A child reports a
// failed step as a plain struct over a CLOEXEC control socket and exits; at exec the socket
// closes with nothing written.
#pragma once

#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "os/fd.h"

namespace msb::engine {

// The fd numbers a launch moves its descriptors to before the clone, so that the child's
// dup2 onto 0..3 never overwrites one it still needs.
inline constexpr int kFirstFreeFd = 10;

// `fd` duplicated at kFirstFreeFd or above (CLOEXEC); the original is closed.
Result<os::Fd> move_above_child_fds(os::Fd fd);

// Pointers to each string's bytes, then nullptr. Valid while `strings` is not changed.
std::vector<char*> exec_pointers(std::vector<std::string>& strings);

// Waits up to `timeout_ms` for the child on `control_fd` to exec or to report: the report's
// bytes, "" when it exec'd. Errors: kBootFailed "<what> did not finish within N s", the
// socket's errors.
Result<std::string> await_child_report(int control_fd, int timeout_ms, std::string_view what);

// The failure struct a report holds (a short report leaves the rest as `Failure{}`).
template <class Failure>
Failure child_failure_from(const std::string& report) {
  Failure failure{};
  std::memcpy(&failure, report.data(), std::min(report.size(), sizeof failure));
  return failure;
}

}  // namespace msb::engine
