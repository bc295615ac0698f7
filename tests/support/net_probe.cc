#include "net_probe.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

namespace msb::testing {
namespace {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family() const { return storage.ss_family; }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

Result<SocketAddress> socket_address(const std::string& ip, uint16_t port) {
  SocketAddress address;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
  if (::inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    address.length = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    address.length = sizeof(sockaddr_in6);
  } else {
    return err(ErrorKind::kInvalidArgument, "not an IP address: '{}'", ip);
  }
  return address;
}

std::string host_port(const std::string& ip, uint16_t port) {
  bool v6 = ip.find(':') != std::string::npos;
  return (v6 ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
}

// errno as an Error, with the waits that SO_RCVTIMEO/SO_SNDTIMEO cut short as kTimeout.
tl::unexpected<Error> socket_error(int sys_errno, const std::string& what) {
  if (sys_errno == EAGAIN || sys_errno == EINPROGRESS || sys_errno == ETIMEDOUT)
    return make_error(ErrorKind::kTimeout, what + ": timed out", sys_errno);
  return errno_error(sys_errno, what);
}

// A blocking socket whose connect, send and receive give up after `timeout`.
Result<os::Fd> timed_socket(int family, int type, std::chrono::milliseconds timeout) {
  os::Fd fd(::socket(family, type | SOCK_CLOEXEC, 0));
  if (!fd) return errno_error(errno, "socket");
  timeval limit{static_cast<time_t>(timeout.count() / 1000),
                static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
  return fd;
}

Result<void> send_all(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0) return socket_error(errno, "send to " + what);
    data.remove_prefix(static_cast<size_t>(sent));
  }
  return {};
}

// Receives until `want` bytes arrived (0: until the peer closes).
Result<std::string> receive(int fd, size_t want, const std::string& what) {
  std::string out;
  char buffer[65536];
  while (want == 0 || out.size() < want) {
    ssize_t got = ::recv(fd, buffer, sizeof(buffer), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return socket_error(errno, "receive from " + what);
    if (got == 0) break;
    out.append(buffer, static_cast<size_t>(got));
  }
  return out;
}

Result<std::string> dns_over_tcp(const std::string& server, uint16_t port, const std::string& query,
                                 std::chrono::milliseconds timeout) {
  os::Fd fd = MSB_TRY(connect_tcp(server, port, timeout));
  std::string framed = {static_cast<char>(query.size() >> 8), static_cast<char>(query.size())};
  std::string what = "dns " + host_port(server, port);
  MSB_TRY(send_all(fd.get(), framed + query, what));
  // The length prefix and the message may come in one segment or in several.
  std::string message = MSB_TRY(receive(fd.get(), 2, what));
  if (message.size() < 2) return err(ErrorKind::kProtocol, "{}: closed without an answer", what);
  size_t want = 2 + (static_cast<uint8_t>(message[0]) << 8 | static_cast<uint8_t>(message[1]));
  if (message.size() < want) message += MSB_TRY(receive(fd.get(), want - message.size(), what));
  if (message.size() < want) return err(ErrorKind::kProtocol, "{}: truncated answer", what);
  message.erase(0, 2);
  return message;
}

}  // namespace

Result<os::Fd> bound_socket(int type, const std::string& ip, uint16_t port) {
  SocketAddress address = MSB_TRY(socket_address(ip, port));
  std::string what = host_port(ip, port);
  os::Fd fd(::socket(address.family(), type | SOCK_CLOEXEC, 0));
  if (!fd) return errno_error(errno, "socket for " + what);
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (address.family() == AF_INET6)
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (::bind(fd.get(), address.get(), address.length) != 0)
    return errno_error(errno, "bind " + what);
  if (type == SOCK_STREAM && ::listen(fd.get(), SOMAXCONN) != 0)
    return errno_error(errno, "listen " + what);
  return fd;
}

Result<os::Fd> connect_tcp(const std::string& ip, uint16_t port,
                           std::chrono::milliseconds timeout) {
  SocketAddress address = MSB_TRY(socket_address(ip, port));
  os::Fd fd = MSB_TRY(timed_socket(address.family(), SOCK_STREAM, timeout));
  if (::connect(fd.get(), address.get(), address.length) != 0)
    return socket_error(errno, "connect " + host_port(ip, port));
  return fd;
}

Result<HttpResponse> http_get(const std::string& ip, uint16_t port, const std::string& path,
                              std::chrono::milliseconds timeout) {
  os::Fd fd = MSB_TRY(connect_tcp(ip, port, timeout));
  std::string what = "http " + host_port(ip, port);
  MSB_TRY(send_all(fd.get(), "GET " + path + " HTTP/1.0\r\nHost: " + ip + "\r\n\r\n", what));
  std::string reply = MSB_TRY(receive(fd.get(), 0, what));
  size_t head_end = reply.find("\r\n\r\n");
  HttpResponse response;
  if (reply.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos ||
      std::sscanf(reply.c_str(), "HTTP/1.%*d %d", &response.status) != 1)
    return err(ErrorKind::kProtocol, "{}: not an HTTP response: '{}'", what, reply.substr(0, 80));
  response.head = reply.substr(0, head_end);
  response.body = reply.substr(head_end + 4);
  return response;
}

Result<std::string> udp_exchange(const std::string& ip, uint16_t port, const std::string& payload,
                                 std::chrono::milliseconds timeout) {
  SocketAddress address = MSB_TRY(socket_address(ip, port));
  std::string what = "udp " + host_port(ip, port);
  os::Fd fd = MSB_TRY(timed_socket(address.family(), SOCK_DGRAM, timeout));
  if (::connect(fd.get(), address.get(), address.length) != 0)
    return socket_error(errno, "connect " + what);
  if (::send(fd.get(), payload.data(), payload.size(), 0) < 0)
    return socket_error(errno, "send to " + what);
  std::string buffer(65536, '\0');
  ssize_t got = ::recv(fd.get(), buffer.data(), buffer.size(), 0);
  if (got < 0) return socket_error(errno, "receive from " + what);
  buffer.resize(static_cast<size_t>(got));
  return buffer;
}

Result<dns::Response> dns_query(const std::string& server, const std::string& name, uint16_t type,
                                bool tcp, uint16_t port, std::chrono::milliseconds timeout) {
  static thread_local std::mt19937 random{std::random_device{}()};
  uint16_t id = static_cast<uint16_t>(random());
  std::string query = dns::encode_query(id, name, type);
  std::string answer = tcp ? MSB_TRY(dns_over_tcp(server, port, query, timeout))
                           : MSB_TRY(udp_exchange(server, port, query, timeout));
  dns::Response response = MSB_TRY(dns::decode_response(answer));
  if (response.id != id)
    return err(ErrorKind::kProtocol, "dns: answer id {} for query id {}", response.id, id);
  return response;
}

std::vector<int> child_processes() {
  std::vector<int> children;
  std::string self = std::to_string(::getpid());
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return children;
  while (dirent* entry = ::readdir(proc)) {
    std::ifstream stat(std::string("/proc/") + entry->d_name + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last
    // ')'.
    std::istringstream rest(line.substr(line.rfind(')') + 1));
    std::string state, ppid;
    if (rest >> state >> ppid && ppid == self) children.push_back(std::stoi(entry->d_name));
  }
  ::closedir(proc);
  return children;
}

int thread_count() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  return 0;
}

}  // namespace msb::testing
