// Plain-socket clients and listeners for network tests: what the net world's self-test
// uses to reach its servers, and what a sandbox test uses on the host side (e.g. to dial a
// forwarded port). Each call works in the network namespace of the calling thread. Every
// call is thread-safe and bounded by `timeout` (kTimeout when it passes).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "dns_wire.h"
#include "os/fd.h"

namespace msb::testing {

inline constexpr std::chrono::milliseconds kProbeTimeout{5000};

// A socket bound to `ip`:`port` ("::" and "0.0.0.0" for any; v6 sockets are v6-only),
// listening when `type` is SOCK_STREAM. Errors: kInvalidArgument (not an IP address),
// kAlreadyExists / kIo from socket, bind and listen, naming the address.
Result<os::Fd> bound_socket(int type, const std::string& ip, uint16_t port);

// A TCP connection to `ip`:`port`. Errors: kIo (refused, unreachable), kTimeout.
Result<os::Fd> connect_tcp(const std::string& ip, uint16_t port,
                           std::chrono::milliseconds timeout = kProbeTimeout);

struct HttpResponse {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
};
// GET `path` over HTTP/1.0 and read to the end. Errors: those of connect_tcp, kProtocol
// when the reply is not HTTP.
Result<HttpResponse> http_get(const std::string& ip, uint16_t port, const std::string& path = "/",
                              std::chrono::milliseconds timeout = kProbeTimeout);

// Sends one datagram to `ip`:`port` from a connected UDP socket and returns the first
// datagram back. Errors: kIo (e.g. ECONNREFUSED after an ICMP port unreachable), kTimeout.
Result<std::string> udp_exchange(const std::string& ip, uint16_t port, const std::string& payload,
                                 std::chrono::milliseconds timeout = kProbeTimeout);

// One DNS question to `server`:`port` over UDP or TCP. Errors: as above, kProtocol when the
// answer does not decode or its id does not match.
Result<dns::Response> dns_query(const std::string& server, const std::string& name, uint16_t type,
                                bool tcp, uint16_t port = 53,
                                std::chrono::milliseconds timeout = kProbeTimeout);

// The pids of this process's child processes (from /proc: any thread's children).
std::vector<int> child_processes();
// The number of threads of this process.
int thread_count();

}  // namespace msb::testing
