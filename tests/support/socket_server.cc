#include "socket_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "os/io.h"

namespace msb::testing {
namespace {

constexpr size_t kChunk = 64 * 1024;

void address_text(const sockaddr_storage& address, std::string& ip, uint16_t& port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof(text));
    port = ntohs(v4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof(text));
    port = ntohs(v6.sin6_port);
  }
  ip = text;
}

Endpoints local_endpoint(int fd) {
  Endpoints ends;
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
    address_text(address, ends.local_ip, ends.local_port);
  return ends;
}

}  // namespace

std::string pattern_bytes(uint64_t offset, size_t count) {
  std::string out(count, '\0');
  for (size_t i = 0; i < count; ++i) out[i] = static_cast<char>('a' + (offset + i) % 26);
  return out;
}

Endpoints endpoints_of(int fd) {
  Endpoints ends = local_endpoint(fd);
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
    address_text(address, ends.peer_ip, ends.peer_port);
  return ends;
}

struct SocketServer::Connection {
  os::Fd fd;
  Endpoints ends;
  const StreamHandler* handler = nullptr;
  std::string in;
  std::string out;
  size_t out_sent = 0;
  uint64_t pattern_left = 0;
  uint64_t pattern_offset = 0;
  bool close_after = false;  // the handler asked to close once everything is sent
  bool peer_done = false;    // the peer ended its stream

  bool pending() const { return out_sent < out.size() || pattern_left > 0; }
  bool reading() const { return !peer_done && !close_after; }
};

void SocketServer::add_listener(os::Fd listener, StreamHandler handler) {
  MSB_CHECK(!thread_.joinable());
  listeners_.push_back({std::move(listener), std::move(handler)});
}

void SocketServer::add_datagram_socket(os::Fd socket, DatagramHandler handler) {
  MSB_CHECK(!thread_.joinable());
  datagram_sockets_.push_back({std::move(socket), std::move(handler)});
}

Result<void> SocketServer::start() {
  MSB_CHECK(!thread_.joinable());
  for (Listener& listener : listeners_) MSB_TRY(os::set_nonblocking(listener.fd.get(), true));
  for (Datagram& socket : datagram_sockets_) MSB_TRY(os::set_nonblocking(socket.fd.get(), true));
  wake_ = os::Fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_) return errno_error(errno, "eventfd");
  thread_ = std::thread([this] { run(); });
  return {};
}

void SocketServer::stop() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    (void)!::write(wake_.get(), &one, sizeof(one));
    thread_.join();
  }
  listeners_.clear();
  datagram_sockets_.clear();
  wake_.reset();
}

void SocketServer::run() {
  std::vector<Connection> connections;
  std::vector<pollfd> fds;
  for (;;) {
    fds.clear();
    fds.push_back({wake_.get(), POLLIN, 0});
    for (Listener& listener : listeners_) fds.push_back({listener.fd.get(), POLLIN, 0});
    for (Datagram& socket : datagram_sockets_) fds.push_back({socket.fd.get(), POLLIN, 0});
    for (Connection& connection : connections) {
      short events = static_cast<short>((connection.reading() ? POLLIN : 0) |
                                        (connection.pending() ? POLLOUT : 0));
      fds.push_back({connection.fd.get(), events, 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) continue;  // EINTR
    if (fds[0].revents) return;  // stop(): the connections close as the vector goes

    size_t first = 1 + listeners_.size() + datagram_sockets_.size();
    std::vector<Connection> kept;
    for (size_t i = 0; i < connections.size(); ++i) {
      short revents = fds[first + i].revents;
      if (revents == 0 || serve(connections[i], revents)) kept.push_back(std::move(connections[i]));
    }
    connections = std::move(kept);
    for (size_t i = 0; i < listeners_.size(); ++i)
      if (fds[1 + i].revents) accept_all(listeners_[i], connections);
    for (size_t i = 0; i < datagram_sockets_.size(); ++i)
      if (fds[1 + listeners_.size() + i].revents) serve_datagrams(datagram_sockets_[i]);
  }
}

void SocketServer::accept_all(Listener& listener, std::vector<Connection>& connections) {
  for (;;) {
    int fd = ::accept4(listener.fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or a connection reset before we took it
    ++connections_;
    Connection connection;
    connection.fd = os::Fd(fd);
    connection.ends = endpoints_of(fd);
    connection.handler = &listener.handler;
    connections.push_back(std::move(connection));
  }
}

void SocketServer::serve_datagrams(Datagram& socket) {
  Endpoints local = local_endpoint(socket.fd.get());
  std::string buffer(65536, '\0');
  for (;;) {
    sockaddr_storage peer{};
    socklen_t peer_length = sizeof(peer);
    ssize_t got = ::recvfrom(socket.fd.get(), buffer.data(), buffer.size(), 0,
                             reinterpret_cast<sockaddr*>(&peer), &peer_length);
    if (got < 0) return;
    ++datagrams_;
    Endpoints ends = local;
    address_text(peer, ends.peer_ip, ends.peer_port);
    std::string reply = socket.handler(ends, std::string_view(buffer.data(), got));
    if (!reply.empty())
      (void)::sendto(socket.fd.get(), reply.data(), reply.size(), MSG_NOSIGNAL,
                     reinterpret_cast<sockaddr*>(&peer), peer_length);
  }
}

bool SocketServer::serve(Connection& connection, short revents) {
  if (revents & (POLLERR | POLLNVAL)) return false;
  if ((revents & (POLLIN | POLLHUP)) && connection.reading()) {
    char buffer[kChunk];
    for (;;) {
      ssize_t got = ::recv(connection.fd.get(), buffer, sizeof(buffer), 0);
      if (got > 0) {
        connection.in.append(buffer, static_cast<size_t>(got));
        continue;
      }
      if (got == 0) connection.peer_done = true;
      if (got < 0 && errno != EAGAIN) return false;
      break;
    }
    StreamReply reply;
    (*connection.handler)(connection.ends, connection.in, connection.peer_done, reply);
    // Pattern bytes go after all data, so only a closing reply may carry them.
    MSB_CHECK(reply.pattern_bytes == 0 || reply.close);
    connection.out += reply.data;
    connection.pattern_left += reply.pattern_bytes;
    connection.close_after = connection.close_after || reply.close;
  }
  while (connection.pending()) {
    if (connection.out_sent == connection.out.size()) {
      size_t count = static_cast<size_t>(std::min<uint64_t>(kChunk, connection.pattern_left));
      connection.out = pattern_bytes(connection.pattern_offset, count);
      connection.out_sent = 0;
      connection.pattern_offset += count;
      connection.pattern_left -= count;
    }
    std::string_view rest = std::string_view(connection.out).substr(connection.out_sent);
    ssize_t sent = ::send(connection.fd.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
    if (sent < 0) return errno == EAGAIN;
    connection.out_sent += static_cast<size_t>(sent);
  }
  connection.out.clear();
  connection.out_sent = 0;
  return connection.reading();
}

}  // namespace msb::testing
