// DNS over TCP for the guest (RFC 7766). libslirp terminates the guest's TCP, so the policy
// filter turns a connect to the gateway's port 53 into one to this service's port on the
// host's loopback; libslirp then connects here like to any host service. Each message is a
// question for the DnsInterceptor, which applies the same name policy, rebinding
// protection and pins as for UDP. Not thread-safe: the network thread owns it.
#pragma once

#include <poll.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/error.h"
#include "net/dns_interceptor.h"
#include "net/dns_tcp_framer.h"
#include "os/fd.h"

namespace msb::net {

class DnsTcpService {
 public:
  using Clock = std::chrono::steady_clock;

  // Listens on 127.0.0.1 and a free port. `interceptor` must outlive the service.
  [[nodiscard]] static Result<std::unique_ptr<DnsTcpService>> create(DnsInterceptor& interceptor);

  uint16_t port() const { return port_; }
  // The filter saw the guest connect to its resolver over TCP: libslirp will connect here
  // once. SECURITY: the listener is on the host's loopback, where any local process can
  // reach it; only connections announced this way are served, the others closed at once.
  void expect_connection();
  size_t connections() const { return connections_.size(); }

  // Poll-loop plumbing, as DnsInterceptor's.
  void fill(std::vector<pollfd>& fds, int& timeout_ms, Clock::time_point now);
  void dispatch(std::span<const pollfd> fds, Clock::time_point now);

 private:
  struct Connection {
    os::Fd fd;
    DnsTcpFramer framer;
    std::string out;     // framed answers not yet written
    size_t waiting = 0;  // questions asked and not answered yet
    bool peer_done = false;
    Clock::time_point deadline;
  };

  DnsTcpService(DnsInterceptor& interceptor, os::Fd listener, uint16_t port);
  void accept_all(Clock::time_point now);
  // false: the connection is finished (closed, failed or idle too long).
  bool serve(uint64_t id, Connection& connection, short revents, Clock::time_point now);
  void answer(uint64_t id, std::span<const uint8_t> message);

  DnsInterceptor& interceptor_;
  os::Fd listener_;
  uint16_t port_;
  uint64_t next_id_ = 1;
  size_t expected_ = 0;  // announced connections not accepted yet
  std::map<uint64_t, Connection> connections_;
  std::vector<uint64_t> polled_;  // connection ids in the order fill() added them
};

}  // namespace msb::net
