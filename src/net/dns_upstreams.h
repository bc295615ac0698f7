// Where the DNS interceptor sends the queries it lets through: the nameservers the sandbox
// was configured with, else the host's own (/etc/resolv.conf), as the host would resolve.
#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "net/ip_address.h"

namespace msb::net {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  static SocketAddress of(const IpAddress& address, uint16_t port);
  IpAddress address() const;
  uint16_t port() const;
};

// The `nameserver` lines of resolv.conf text, port 53, in order; lines that are not an
// address (comments, options, a scoped fe80::1%eth0) are skipped. Thread-safe.
std::vector<SocketAddress> resolv_conf_nameservers(std::string_view text);

// `configured` (parse_nameserver() texts) in order, or, when it is empty, the host's
// /etc/resolv.conf nameservers (none when that file is missing). Errors: a configured entry that
// does not parse.
[[nodiscard]] Result<std::vector<SocketAddress>> upstream_nameservers(
    const std::vector<std::string>& configured);

}  // namespace msb::net
