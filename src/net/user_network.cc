#include "net/user_network.h"

#include <fcntl.h>

#include "common/log.h"
#include "os/io.h"

namespace msb::net {
namespace {

// Frames the stack produced while the ingress limit holds them back; a frame that finds the
// queue full is dropped, as on a slow link (TCP slows down). Short on purpose: libslirp's
// TCP towards the guest retransmits once a deeper queue's delay passes its timer, and a
// 1 MiB queue held a download to 60 % of the limit (256 KiB: 99 %).
constexpr size_t kMaxPacedBytes = 256 * 1024;

}  // namespace

UserNetwork::UserNetwork(std::unique_ptr<FrameFilter> filter, const UserNetworkSettings& settings,
                         os::Fd wake_read, os::Fd wake_write)
    : filter_(std::move(filter)),
      egress_(settings.egress),
      ingress_(settings.ingress),
      wake_read_(std::move(wake_read)),
      wake_write_(std::move(wake_write)) {}

Result<std::unique_ptr<UserNetwork>> UserNetwork::create(const UserNetworkSettings& settings,
                                                         std::unique_ptr<FrameFilter> filter) {
  os::PipePair wake = MSB_TRY(os::make_pipe(O_NONBLOCK));
  std::unique_ptr<UserNetwork> network(
      new UserNetwork(std::move(filter), settings, std::move(wake.read), std::move(wake.write)));
  UserNetwork* self = network.get();
  network->stack_ = MSB_TRY(SlirpStack::create(
      settings.stack, [self](std::span<const uint8_t> frame) { self->from_stack(frame); }));
  for (const PortForward& port : settings.ports) {
    MSB_TRY(network->stack_
                ->add_port_forward(port.udp, reinterpret_cast<const sockaddr*>(&port.host),
                                   port.host_length, port.guest_port)
                .context("publish {}", port.label));
  }
  if (network->filter_)
    network->filter_->attach([self](std::span<const uint8_t> frame) { self->to_guest(frame); });
  return network;
}

void UserNetwork::run_on(os::Fd link_fd, FrameLink::Format format) {
  MSB_CHECK(!thread_.joinable());
  link_.emplace(std::move(link_fd), format);
  // From here on only the thread touches the stack, the filter and the link.
  thread_ = std::thread([this] { run(); });
}

Result<std::unique_ptr<UserNetwork>> UserNetwork::start(os::Fd link_fd, FrameLink::Format format,
                                                        const UserNetworkSettings& settings,
                                                        std::unique_ptr<FrameFilter> filter) {
  std::unique_ptr<UserNetwork> network = MSB_TRY(create(settings, std::move(filter)));
  network->run_on(std::move(link_fd), format);
  return network;
}

UserNetwork::~UserNetwork() {
  if (thread_.joinable()) {
    (void)os::write_some(wake_write_.get(), std::span<const char>("x", 1));
    thread_.join();
  }
  // One line per sandbox run in runtime.log: what its network carried and refused.
  if (link_)
    logger("net")->info(
        "network stopped: {} frames from the guest, {} to it, {} refused, {} dropped (queues "
        "full)",
        from_guest_.load(), to_guest_.load(), refused_.load(),
        paced_drops_.load() + link_->frames_dropped());
}

UserNetworkStats UserNetwork::stats() const {
  return {from_guest_.load(), to_guest_.load(), refused_.load(), paced_drops_.load()};
}

void UserNetwork::from_guest(std::span<const uint8_t> frame) {
  from_guest_.fetch_add(1, std::memory_order_relaxed);
  egress_.take(frame.size(), std::chrono::steady_clock::now());
  if (filter_) {
    replies_.clear();
    FrameVerdict verdict = filter_->admit(frame, replies_);
    for (const std::vector<uint8_t>& reply : replies_) to_guest(reply);
    if (verdict == FrameVerdict::kRefuse) refused_.fetch_add(1, std::memory_order_relaxed);
    if (verdict == FrameVerdict::kRewritten) {
      stack_->input(filter_->rewritten());
      return;
    }
    if (verdict != FrameVerdict::kPass) return;
  }
  stack_->input(frame);
}

void UserNetwork::from_stack(std::span<const uint8_t> frame) {
  if (filter_) {
    FrameVerdict verdict = filter_->deliver(frame);
    if (verdict == FrameVerdict::kRefuse) {
      refused_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (verdict == FrameVerdict::kRewritten) frame = filter_->rewritten();
  }
  if (ingress_.unlimited() && ingress_queue_.empty()) {
    to_guest(frame);
    return;
  }
  if (ingress_queued_bytes_ + frame.size() > kMaxPacedBytes) {
    paced_drops_.fetch_add(1, std::memory_order_relaxed);
    release_paced_frames();
    return;
  }
  ingress_queue_.emplace_back(frame.begin(), frame.end());
  ingress_queued_bytes_ += frame.size();
  release_paced_frames();
}

void UserNetwork::release_paced_frames() {
  const auto now = std::chrono::steady_clock::now();
  while (!ingress_queue_.empty() &&
         ingress_.wait_for(ingress_queue_.front().size(), now).count() == 0) {
    ingress_.take(ingress_queue_.front().size(), now);
    to_guest(ingress_queue_.front());
    ingress_queued_bytes_ -= ingress_queue_.front().size();
    ingress_queue_.pop_front();
  }
}

void UserNetwork::to_guest(std::span<const uint8_t> frame) {
  if (!link_) return;  // nothing runs before run_on(); kept for clarity
  to_guest_.fetch_add(1, std::memory_order_relaxed);
  link_->send(frame);
}

void UserNetwork::run() {
  std::vector<pollfd> fds;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    int timeout_ms = -1;
    fds.clear();
    fds.push_back({wake_read_.get(), POLLIN, 0});
    short link_events = 0;
    // The egress limit holds the guest back by not reading its frames: its queue fills and
    // its TCP slows down, as on a slower link.
    const auto egress_wait = egress_.wait_for(1, now);
    if (egress_wait.count() == 0)
      link_events |= POLLIN;
    else
      timeout_ms = poll_timeout_for(egress_wait, timeout_ms);
    if (link_->has_pending_output()) link_events |= POLLOUT;
    fds.push_back({link_->fd(), link_events, 0});
    if (!ingress_queue_.empty())
      timeout_ms =
          poll_timeout_for(ingress_.wait_for(ingress_queue_.front().size(), now), timeout_ms);
    stack_->fill(fds, timeout_ms);
    const size_t filter_first = fds.size();
    if (filter_) filter_->fill(fds, timeout_ms);
    Result<int> polled = os::poll_fds(fds, timeout_ms);
    if (fds[0].revents) return;  // the owner stops us
    if (fds[1].revents & POLLOUT) (void)link_->flush();
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      Result<bool> open =
          link_->read_frames([this](std::span<const uint8_t> frame) { from_guest(frame); },
                             egress_.unlimited() ? FrameLink::kDefaultReads : 1);
      if (!open || !*open) {
        if (!open) logger("net")->warn("network card: {}", open.error().message);
        return;  // the sandbox is gone: its sockets close with the stack
      }
    }
    stack_->dispatch(fds, !polled);  // it reads only the entries its fill() added
    if (filter_) filter_->dispatch(std::span<const pollfd>(fds).subspan(filter_first));
    release_paced_frames();
  }
}

}  // namespace msb::net
