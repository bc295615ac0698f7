#include "runtime/agent_session.h"

#include <poll.h>

#include "os/clock.h"
#include "os/io.h"

namespace msb::runtime {

Result<protocol::Envelope> AgentSession::next(std::chrono::milliseconds timeout) {
  uint64_t deadline = os::monotonic_ns() + uint64_t(timeout.count()) * 1'000'000;
  for (;;) {
    std::optional<protocol::Envelope> envelope = MSB_TRY(connection_.next_envelope("agent"));
    if (envelope) return std::move(*envelope);
    if (closed_) {
      // Usually the VM is gone: say that rather than the symptom when it is.
      pollfd exit{engine_exit_fd_, POLLIN, 0};
      Result<int> exited = os::poll_fds(std::span(&exit, 1), 1000);
      if (exited && *exited > 0) return err(ErrorKind::kBootFailed, "the sandbox exited");
      return err(ErrorKind::kBootFailed, "the agent closed its channel");
    }
    uint64_t now = os::monotonic_ns();
    if (now >= deadline)
      return err(ErrorKind::kTimeout, "no answer from the agent within {} ms", timeout.count());
    pollfd fds[3] = {
        {connection_.fd(), short(POLLIN | (connection_.wants_write() ? POLLOUT : 0)), 0},
        {engine_exit_fd_, POLLIN, 0},
        {interrupts_ ? interrupts_->fd() : -1, POLLIN, 0},
    };
    MSB_TRY(os::poll_fds(fds, static_cast<int>((deadline - now) / 1'000'000) + 1));
    if (fds[2].revents & POLLIN) {
      std::optional<int> sig = MSB_TRY(interrupts_->read_signal());
      if (sig) return make_error(ErrorKind::kCancelled, "interrupted", *sig);
    }
    if (fds[0].revents & POLLOUT) MSB_TRY(connection_.flush_some());
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      bool open = MSB_TRY(connection_.receive_some());
      if (!open) closed_ = true;
      continue;  // deliver what arrived before looking at the engine's exit
    }
    if (fds[1].revents & POLLIN) return err(ErrorKind::kBootFailed, "the sandbox exited");
  }
}

}  // namespace msb::runtime
