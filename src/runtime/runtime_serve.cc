// SandboxRuntime::serve: the supervisor's event loop once the sandbox is up. One poll set:
// signals, the creator's watchdog pipe, agent.sock, the engine's exit, and the relay.
#include <signal.h>

#include "common/log.h"
#include "os/clock.h"
#include "os/io.h"
#include "os/unix_socket.h"
#include "runtime/sandbox_runtime.h"

namespace msb::runtime {
namespace {

constexpr int kIdlePollMs = 60'000;
constexpr char kDetachByte = 'D';

}  // namespace

Result<os::ExitStatus> SandboxRuntime::serve() {
  std::vector<pollfd> fds;
  for (;;) {
    fds.clear();
    fds.push_back({signals_.fd(), POLLIN, 0});
    fds.push_back({instance_->exit_fd(), POLLIN, 0});
    fds.push_back({listener_.get(), short(stop_cause_ == StopCause::kNone ? POLLIN : 0), 0});
    fds.push_back({watchdog_.get(), POLLIN, 0});
    relay_->add_poll_fds(fds);
    int timeout = kIdlePollMs;
    if (stop_deadline_ns_ != 0) {
      uint64_t now = os::monotonic_ns();
      if (now >= stop_deadline_ns_) {
        logger("runtime")->warn("the guest did not power off within {} s; killing it",
                                options_.stop_timeout.count() / 1000);
        return instance_->kill();
      }
      timeout = static_cast<int>((stop_deadline_ns_ - now) / 1'000'000) + 1;
    }
    MSB_TRY(os::poll_fds(fds, timeout));

    if (fds[0].revents & POLLIN) {
      while (std::optional<int> sig = MSB_TRY(signals_.read_signal())) handle_signal(*sig);
    }
    if (fds[3].revents & (POLLIN | POLLHUP | POLLERR)) handle_watchdog();
    if (fds[2].revents & POLLIN) MSB_TRY(accept_clients());
    RelayEvents events = MSB_TRY(relay_->handle(fds, 4));
    for (const std::string& reason : events.dropped_clients)
      logger("runtime")->warn("client disconnected: {}", reason);
    if (events.shutdown_requested) begin_stop(StopCause::kShutdownRequested);
    if (draining_ && relay_->active_sessions() == 0) begin_stop(StopCause::kDrainRequested);
    if (events.agent_closed || (fds[1].revents & POLLIN)) {
      // The guest powered off (or died): what is left is reaping QEMU.
      Result<std::optional<os::ExitStatus>> done = instance_->wait_for(options_.stop_timeout);
      if (done && *done) return **done;
      return instance_->kill();
    }
  }
}

Result<void> SandboxRuntime::accept_clients() {
  for (;;) {
    os::Fd client = MSB_TRY(os::accept_unix(listener_.get()));
    if (!client) return {};
    Result<void> added = relay_->add_client(std::move(client), ready_);
    logger("runtime")->info("client connected ({} now)", relay_->client_count());
    if (!added) logger("runtime")->warn("client refused: {}", added.error().message);
  }
}

void SandboxRuntime::handle_signal(int sig) {
  logger("runtime")->info("received signal {}", sig);
  if (sig == SIGUSR1) {
    begin_drain();
  } else if (sig == SIGTERM) {
    begin_stop(StopCause::kShutdownRequested);
  } else {
    begin_stop(StopCause::kSignal);
  }
}

// Attached mode: the creator holds the write end. EOF means it is gone, so the sandbox
// stops; a detach byte first means it let go on purpose.
void SandboxRuntime::handle_watchdog() {
  char byte = 0;
  Result<size_t> got = os::read_some(watchdog_.get(), {&byte, 1});
  if (got && *got == 1 && byte == kDetachByte) {
    logger("runtime")->info("creator detached");
    watchdog_.reset();
    return;
  }
  if (got && *got == 1) return;  // unknown byte: ignored
  logger("runtime")->info("creator is gone: stopping the attached sandbox");
  watchdog_.reset();
  begin_stop(StopCause::kShutdownRequested);
}

void SandboxRuntime::begin_stop(StopCause cause) {
  if (stop_cause_ != StopCause::kNone) return;
  stop_cause_ = cause;
  logger("runtime")->info("stopping: asking the guest to sync, unmount and power off");
  // The agent syncs and unmounts before powering off, so the upper disk is consistent.
  (void)relay_->agent().send(0, protocol::kFlagShutdown, protocol::CoreShutdown{});
  stop_deadline_ns_ = os::monotonic_ns() + uint64_t(options_.stop_timeout.count()) * 1'000'000;
}

void SandboxRuntime::begin_drain() {
  if (draining_ || stop_cause_ != StopCause::kNone) return;
  draining_ = true;
  relay_->set_draining();
  Result<void> marked = store::set_sandbox_status(db_, record_.id, store::SandboxStatus::kDraining);
  if (!marked) logger("runtime")->warn("marking draining: {}", marked.error().message);
}

}  // namespace msb::runtime
