// msb-guest-net-tool: the network end that busybox lacks, for tests and bench/net. A static
// binary with no dependency on the image, copied into sandboxes; bench/net runs the same
// file on its plain-namespace peer, so every side runs the same code.
//   connect IP PORT N   N sequential TCP connects; prints "connect_us <median>"
//   send IP PORT MIB    MIB MiB in 64 KiB writes, then waits for the peer to close;
//                       prints "send_s <seconds>"
//   udp-echo PORT N     answers N datagrams on [::]:PORT (v4 and v6) with their own bytes
//   tcp-echo PORT N     echoes N connections on [::]:PORT (v4 and v6), one at a time
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

bool to_address(const char* ip, int port, sockaddr_storage& storage, socklen_t& length) {
  std::memset(&storage, 0, sizeof storage);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (::inet_pton(AF_INET, ip, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(uint16_t(port));
    length = sizeof *v4;
    return true;
  }
  if (::inet_pton(AF_INET6, ip, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(uint16_t(port));
    length = sizeof *v6;
    return true;
  }
  return false;
}

int connect_to(const sockaddr_storage& address, socklen_t length) {
  int fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int measure_connects(const sockaddr_storage& address, socklen_t length, int count) {
  std::vector<double> samples;
  for (int i = 0; i < count; ++i) {
    Clock::time_point start = Clock::now();
    int fd = connect_to(address, length);
    if (fd < 0) return std::perror("connect"), 1;
    samples.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    ::close(fd);
  }
  std::sort(samples.begin(), samples.end());
  std::printf("connect_us %.1f\n", samples[samples.size() / 2]);
  return 0;
}

int measure_send(const sockaddr_storage& address, socklen_t length, long mib) {
  int fd = connect_to(address, length);
  if (fd < 0) return std::perror("connect"), 1;
  std::vector<char> chunk(64 * 1024, 'x');
  Clock::time_point start = Clock::now();
  for (long sent = 0; sent < mib * 16; ++sent) {
    for (size_t off = 0; off < chunk.size();) {
      ssize_t n = ::send(fd, chunk.data() + off, chunk.size() - off, MSG_NOSIGNAL);
      if (n < 0) return std::perror("send"), 1;
      off += size_t(n);
    }
  }
  ::shutdown(fd, SHUT_WR);
  char byte;
  while (::read(fd, &byte, 1) > 0) {
  }
  std::printf("send_s %.4f\n", std::chrono::duration<double>(Clock::now() - start).count());
  ::close(fd);
  return 0;
}

int dual_stack_socket(int type, int port) {
  int fd = ::socket(AF_INET6, type | SOCK_CLOEXEC, 0);
  int off = 0, on = 1;
  ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_port = htons(uint16_t(port));
  address.sin6_addr = in6addr_any;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return -1;
  if (type == SOCK_STREAM && ::listen(fd, 16) != 0) return -1;
  return fd;
}

int udp_echo(int port, long count) {
  int fd = dual_stack_socket(SOCK_DGRAM, port);
  if (fd < 0) return std::perror("udp bind"), 1;
  std::printf("ready\n");
  std::fflush(stdout);
  std::vector<char> buffer(65536);
  for (long i = 0; i < count; ++i) {
    sockaddr_storage peer;
    socklen_t length = sizeof peer;
    ssize_t n = ::recvfrom(fd, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&peer),
                           &length);
    if (n < 0) return std::perror("recvfrom"), 1;
    char text[INET6_ADDRSTRLEN] = {};
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&peer);
    ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    std::printf("datagram from [%s]:%d\n", text, ntohs(v6->sin6_port));
    std::fflush(stdout);
    ::sendto(fd, buffer.data(), size_t(n), 0, reinterpret_cast<sockaddr*>(&peer), length);
  }
  return 0;
}

int tcp_echo(int port, long count) {
  int listener = dual_stack_socket(SOCK_STREAM, port);
  if (listener < 0) return std::perror("tcp bind"), 1;
  std::printf("ready\n");
  std::fflush(stdout);
  std::vector<char> buffer(65536);
  for (long i = 0; i < count; ++i) {
    int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return std::perror("accept"), 1;
    for (ssize_t n; (n = ::read(fd, buffer.data(), buffer.size())) > 0;) {
      for (ssize_t off = 0; off < n;) {
        ssize_t sent = ::send(fd, buffer.data() + off, size_t(n - off), MSG_NOSIGNAL);
        if (sent < 0) break;
        off += sent;
      }
    }
    ::close(fd);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "udp-echo") == 0)
    return udp_echo(std::atoi(argv[2]), std::atol(argv[3]));
  if (argc == 4 && std::strcmp(argv[1], "tcp-echo") == 0)
    return tcp_echo(std::atoi(argv[2]), std::atol(argv[3]));
  sockaddr_storage address;
  socklen_t length = 0;
  if (argc != 5 || !to_address(argv[2], std::atoi(argv[3]), address, length)) {
    std::fprintf(
        stderr, "usage: msb-guest-net-tool connect|send IP PORT N|MIB, udp-echo|tcp-echo PORT N\n");
    return 2;
  }
  if (std::strcmp(argv[1], "connect") == 0)
    return measure_connects(address, length, std::max(1, std::atoi(argv[4])));
  if (std::strcmp(argv[1], "send") == 0)
    return measure_send(address, length, std::max(1L, std::atol(argv[4])));
  std::fprintf(stderr, "msb-guest-net-tool: unknown mode '%s'\n", argv[1]);
  return 2;
}
