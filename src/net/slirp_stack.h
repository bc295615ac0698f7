// libslirp behind a small RAII class: the user-space TCP/IP stack that terminates the
// guest's connections and NATs them to host sockets. It plugs into the caller's poll loop
// (fill → poll → dispatch). Not thread-safe: libslirp is not; one thread owns it.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "common/error.h"

struct Slirp;
struct SlirpCb;

namespace msb::net {

struct SlirpSettings {
  in_addr network{};  // the guest's subnet
  in_addr netmask{};
  in_addr gateway{};                // the host as the guest sees it (slirp's vhost)
  in_addr guest{};                  // the guest's own address
  std::optional<in6_addr> prefix6;  // IPv6 off when absent
  uint8_t prefix6_length = 64;
  in6_addr gateway6{};
  in6_addr guest6{};  // where IPv6 published ports lead
  uint32_t mtu = 1500;
};

class SlirpStack {
 public:
  using SendFrame = std::function<void(std::span<const uint8_t>)>;

  // `send_frame` is called (on the owner's thread) with each frame for the guest.
  static Result<std::unique_ptr<SlirpStack>> create(const SlirpSettings& settings,
                                                    SendFrame send_frame);
  ~SlirpStack();
  SlirpStack(const SlirpStack&) = delete;
  SlirpStack& operator=(const SlirpStack&) = delete;

  // One frame from the guest.
  void input(std::span<const uint8_t> frame);

  // Appends slirp's sockets to `fds` and lowers `timeout_ms` to its next timer.
  void fill(std::vector<pollfd>& fds, int& timeout_ms);
  // After poll(): lets slirp handle the sockets appended by fill() and run due timers.
  void dispatch(const std::vector<pollfd>& fds, bool poll_failed);

  // Publishes a guest port on the host (bind address + port, TCP or UDP). An IPv6 bind
  // address leads to the guest's IPv6 address, an IPv4 one to its IPv4 address.
  // kAlreadyExists-like kIo error when the host port is taken.
  Result<void> add_port_forward(bool udp, const sockaddr* host, socklen_t host_length,
                                int guest_port);

 private:
  struct Timer {
    int id = 0;                         // SlirpTimerId, for slirp_handle_timer
    void (*callback)(void*) = nullptr;  // a timer_new() timer
    void* callback_opaque = nullptr;
    int64_t expire_ms = -1;  // -1: not armed
  };
  SlirpStack(SendFrame send_frame, in_addr guest, in6_addr guest6);
  static const ::SlirpCb& callbacks();
  void run_due_timers();

  SendFrame send_frame_;
  in_addr guest_{};
  in6_addr guest6_{};
  Slirp* slirp_ = nullptr;
  std::list<Timer> timers_;  // stable addresses: slirp holds pointers to them
  std::vector<pollfd>* polled_ = nullptr;
  size_t first_index_ = 0;
};

}  // namespace msb::net
