#include "engine/child_launch.h"

#include <poll.h>

#include "os/io.h"
#include "os/pty.h"

namespace msb::engine {

Result<os::Fd> move_above_child_fds(os::Fd fd) {
  return os::duplicate_fd_from(fd.get(), kFirstFreeFd);
}

std::vector<char*> exec_pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

Result<std::string> await_child_report(int control_fd, int timeout_ms, std::string_view what) {
  pollfd ready{control_fd, POLLIN, 0};
  int polled = MSB_TRY(os::poll_fds({&ready, 1}, timeout_ms));
  if (polled == 0)
    return err(ErrorKind::kBootFailed, "{} did not finish within {} s", what, timeout_ms / 1000);
  return os::read_to_end(control_fd);
}

}  // namespace msb::engine
