#include "net/slirp_stack.h"

#include <slirp/libslirp.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/log.h"
#include "os/clock.h"

namespace msb::net {
namespace {

int64_t now_ms() { return static_cast<int64_t>(os::monotonic_ns() / 1000000); }

short to_poll_events(int slirp_events) {
  short events = 0;
  if (slirp_events & SLIRP_POLL_IN) events |= POLLIN;
  if (slirp_events & SLIRP_POLL_OUT) events |= POLLOUT;
  if (slirp_events & SLIRP_POLL_PRI) events |= POLLPRI;
  return events;
}

int to_slirp_events(short revents) {
  int events = 0;
  if (revents & POLLIN) events |= SLIRP_POLL_IN;
  if (revents & POLLOUT) events |= SLIRP_POLL_OUT;
  if (revents & POLLPRI) events |= SLIRP_POLL_PRI;
  if (revents & (POLLERR | POLLNVAL)) events |= SLIRP_POLL_ERR;
  if (revents & POLLHUP) events |= SLIRP_POLL_HUP;
  return events;
}

}  // namespace

const SlirpCb& SlirpStack::callbacks() {
  static const SlirpCb table = [] {
    SlirpCb cb{};
    cb.send_packet = [](const void* buffer, size_t length, void* opaque) -> ssize_t {
      auto* self = static_cast<SlirpStack*>(opaque);
      self->send_frame_({static_cast<const uint8_t*>(buffer), length});
      return static_cast<ssize_t>(length);
    };
    cb.guest_error = [](const char* message, void*) {
      logger("net")->debug("guest network error: {}", message);
    };
    cb.clock_get_ns = [](void*) -> int64_t { return static_cast<int64_t>(os::monotonic_ns()); };
    cb.timer_new = [](SlirpTimerCb callback, void* callback_opaque, void* opaque) -> void* {
      auto* self = static_cast<SlirpStack*>(opaque);
      return &self->timers_.emplace_back(Timer{0, callback, callback_opaque, -1});
    };
    cb.timer_new_opaque = [](SlirpTimerId id, void* callback_opaque, void* opaque) -> void* {
      auto* self = static_cast<SlirpStack*>(opaque);
      return &self->timers_.emplace_back(Timer{id, nullptr, callback_opaque, -1});
    };
    cb.timer_free = [](void* timer, void* opaque) {
      auto* self = static_cast<SlirpStack*>(opaque);
      self->timers_.remove_if([timer](const Timer& t) { return &t == timer; });
    };
    cb.timer_mod = [](void* timer, int64_t expire_ms, void*) {
      static_cast<Timer*>(timer)->expire_ms = expire_ms;
    };
    // Sockets are polled through slirp_pollfds_fill each round; nothing to track here.
    cb.register_poll_fd = [](int, void*) {};
    cb.unregister_poll_fd = [](int, void*) {};
    // The loop polls again after every dispatch: nothing to wake.
    cb.notify = [](void*) {};
    return cb;
  }();
  return table;
}

SlirpStack::SlirpStack(SendFrame send_frame, in_addr guest, in6_addr guest6)
    : send_frame_(std::move(send_frame)), guest_(guest), guest6_(guest6) {}

Result<std::unique_ptr<SlirpStack>> SlirpStack::create(const SlirpSettings& settings,
                                                       SendFrame send_frame) {
  std::unique_ptr<SlirpStack> stack(
      new SlirpStack(std::move(send_frame), settings.guest, settings.guest6));
  SlirpConfig config{};
  config.version = 4;
  config.in_enabled = true;
  config.vnetwork = settings.network;
  config.vnetmask = settings.netmask;
  config.vhost = settings.gateway;
  config.vdhcp_start = settings.guest;
  // No address of the link is libslirp's DNS forwarder: the policy filter answers DNS itself
  // (net/dns_interceptor.h). Were the gateway the forwarder, libslirp would send everything
  // the guest sends the gateway over UDP or TCP (replies on a published port included) to
  // the host's DNS server instead of the host.
  config.vnameserver.s_addr = INADDR_ANY;
  if (settings.prefix6) {
    config.in6_enabled = true;
    config.vprefix_addr6 = *settings.prefix6;
    config.vprefix_len = settings.prefix6_length;
    config.vhost6 = settings.gateway6;
    config.vnameserver6 = in6addr_any;
  }
  config.if_mtu = settings.mtu;
  config.if_mru = settings.mtu;
  // The guest's addresses are static (the agent sets them): no DHCP server on the link.
  config.disable_dhcp = true;
  stack->slirp_ = slirp_new(&config, &callbacks(), stack.get());
  if (!stack->slirp_) return err(ErrorKind::kInternal, "libslirp refused its configuration");
  return stack;
}

SlirpStack::~SlirpStack() {
  if (slirp_) slirp_cleanup(slirp_);
}

void SlirpStack::input(std::span<const uint8_t> frame) {
  slirp_input(slirp_, frame.data(), static_cast<int>(frame.size()));
}

void SlirpStack::fill(std::vector<pollfd>& fds, int& timeout_ms) {
  polled_ = &fds;
  first_index_ = fds.size();
  uint32_t timeout = timeout_ms < 0 ? UINT32_MAX : static_cast<uint32_t>(timeout_ms);
  slirp_pollfds_fill(
      slirp_, &timeout,
      [](int fd, int events, void* opaque) -> int {
        auto* self = static_cast<SlirpStack*>(opaque);
        self->polled_->push_back(pollfd{fd, to_poll_events(events), 0});
        return static_cast<int>(self->polled_->size() - 1 - self->first_index_);
      },
      this);
  int64_t now = now_ms();
  for (const Timer& timer : timers_) {
    if (timer.expire_ms < 0) continue;
    uint32_t due = static_cast<uint32_t>(std::max<int64_t>(0, timer.expire_ms - now));
    timeout = std::min(timeout, due);
  }
  timeout_ms = timeout == UINT32_MAX ? -1 : static_cast<int>(timeout);
  polled_ = nullptr;
}

void SlirpStack::dispatch(const std::vector<pollfd>& fds, bool poll_failed) {
  struct Lookup {
    const std::vector<pollfd>* fds;
    size_t first;
  } lookup{&fds, first_index_};
  slirp_pollfds_poll(
      slirp_, poll_failed ? 1 : 0,
      [](int index, void* opaque) -> int {
        auto* where = static_cast<Lookup*>(opaque);
        size_t at = where->first + static_cast<size_t>(index);
        return at < where->fds->size() ? to_slirp_events((*where->fds)[at].revents) : 0;
      },
      &lookup);
  run_due_timers();
}

void SlirpStack::run_due_timers() {
  int64_t now = now_ms();
  // A timer callback may modify or free timers: collect the due ones first.
  std::vector<Timer*> due;
  for (Timer& timer : timers_) {
    if (timer.expire_ms >= 0 && timer.expire_ms <= now) due.push_back(&timer);
  }
  for (Timer* timer : due) {
    bool alive = std::any_of(timers_.begin(), timers_.end(),
                             [timer](const Timer& t) { return &t == timer; });
    if (!alive || timer->expire_ms < 0 || timer->expire_ms > now) continue;
    timer->expire_ms = -1;
    if (timer->callback) {
      timer->callback(timer->callback_opaque);
    } else {
      slirp_handle_timer(slirp_, static_cast<SlirpTimerId>(timer->id), timer->callback_opaque);
    }
  }
}

Result<void> SlirpStack::add_port_forward(bool udp, const sockaddr* host, socklen_t host_length,
                                          int guest_port) {
  // libslirp forwards within one family: a v6 host socket reaches the guest's v6 address.
  sockaddr_storage guest{};
  socklen_t guest_length = 0;
  if (host->sa_family == AF_INET6) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&guest);
    v6->sin6_family = AF_INET6;
    v6->sin6_addr = guest6_;
    v6->sin6_port = htons(static_cast<uint16_t>(guest_port));
    guest_length = sizeof *v6;
  } else {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&guest);
    v4->sin_family = AF_INET;
    v4->sin_addr = guest_;
    v4->sin_port = htons(static_cast<uint16_t>(guest_port));
    guest_length = sizeof *v4;
  }
  int flags = udp ? SLIRP_HOSTFWD_UDP : 0;
  errno = 0;
  if (slirp_add_hostxfwd(slirp_, host, host_length, reinterpret_cast<sockaddr*>(&guest),
                         guest_length, flags) != 0)
    return errno_error(errno ? errno : EADDRINUSE, "host socket");
  return {};
}

}  // namespace msb::net
