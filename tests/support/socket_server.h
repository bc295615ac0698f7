// SocketServer: one poll-loop thread serving TCP listeners and UDP sockets with small
// handlers, for the net world's test servers (net_servers.h). Sockets are made by the
// caller, in whatever network namespace they belong to (a socket stays in the namespace it
// was created in), so the loop thread itself needs no namespace. Many concurrent
// connections are fine: every socket is non-blocking and one slow peer stalls nobody.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/error.h"
#include "os/fd.h"

namespace msb::testing {

// Both ends of a connection or datagram, as numeric text ("192.0.2.10", "2001:db8::10").
struct Endpoints {
  std::string local_ip;
  uint16_t local_port = 0;
  std::string peer_ip;
  uint16_t peer_port = 0;
};

// What a stream handler wants sent back.
struct StreamReply {
  std::string data;            // sent first
  uint64_t pattern_bytes = 0;  // then this many bytes of pattern_bytes() (large bodies)
  bool close = false;          // close the connection once everything is sent
};

// Called whenever bytes arrive (and once at the peer's end of stream, with `eof`): consumes
// what it understood from the front of `in` and appends to `reply`. Runs on the loop thread.
using StreamHandler =
    std::function<void(const Endpoints& ends, std::string& in, bool eof, StreamReply& reply)>;
// Called per datagram; returns what to send back to its sender (nothing when empty).
using DatagramHandler =
    std::function<std::string(const Endpoints& ends, std::string_view datagram)>;

// `count` bytes of the pattern that GET /bytes/N bodies carry, starting at `offset`: byte i
// is 'a' + i % 26. Thread-safe.
std::string pattern_bytes(uint64_t offset, size_t count);

class SocketServer {
 public:
  SocketServer() = default;
  SocketServer(const SocketServer&) = delete;
  SocketServer& operator=(const SocketServer&) = delete;
  ~SocketServer() { stop(); }

  // Serve a listening TCP socket / a bound UDP socket. REQUIRES: before start().
  void add_listener(os::Fd listener, StreamHandler handler);
  void add_datagram_socket(os::Fd socket, DatagramHandler handler);

  // Starts the loop thread. Errors: kIo (eventfd, fcntl). Not thread-safe (call once).
  Result<void> start();
  // Wakes the loop, joins it and closes every socket. Idempotent.
  void stop();

  // Connections accepted and datagrams received since start(); thread-safe.
  uint64_t connections() const { return connections_.load(); }
  uint64_t datagrams() const { return datagrams_.load(); }

 private:
  struct Listener {
    os::Fd fd;
    StreamHandler handler;
  };
  struct Datagram {
    os::Fd fd;
    DatagramHandler handler;
  };
  struct Connection;

  void run();
  void accept_all(Listener& listener, std::vector<Connection>& connections);
  void serve_datagrams(Datagram& socket);
  // Reads, calls the handler and writes what is ready; false when the connection is done.
  bool serve(Connection& connection, short revents);

  std::vector<Listener> listeners_;
  std::vector<Datagram> datagram_sockets_;
  os::Fd wake_;
  std::thread thread_;
  std::atomic<uint64_t> connections_{0};
  std::atomic<uint64_t> datagrams_{0};
};

// The local and peer addresses of a connected socket (empty fields when unknown).
Endpoints endpoints_of(int fd);

}  // namespace msb::testing
