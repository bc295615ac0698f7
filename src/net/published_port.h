// Published ports (-p [BIND:]HOST:GUEST[/udp]) and DNS nameserver addresses: the address
// texts of the network config, parsed and printed in one place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "net/ip_address.h"

namespace msb::net {

// A port number 1-65535: digits only, no sign, no leading zero; nullopt otherwise.
// Thread-safe.
std::optional<uint16_t> parse_port_number(std::string_view text);

// A host socket whose connections (TCP) or datagrams (UDP) go to a port of the guest.
struct PublishedPort {
  std::string bind = "127.0.0.1";  // the host address listened on; an IP, without brackets
  uint16_t host_port = 0;
  uint16_t guest_port = 0;
  bool udp = false;

  bool operator==(const PublishedPort&) const = default;
};

// "[BIND:]HOST:GUEST[/tcp|/udp]": "8080:80", "0.0.0.0:8080:80", "[::1]:8080:80/udp". Ports
// 1-65535; BIND an IP address, IPv6 in brackets; without BIND, 127.0.0.1. kInvalidArgument
// "published port '<text>': <what>". Thread-safe.
[[nodiscard]] Result<PublishedPort> parse_published_port(std::string_view text);

// The canonical text: "127.0.0.1:8080:80", "[::1]:53:53/udp" (no "/tcp"). Thread-safe.
std::string format_published_port(const PublishedPort& port);

// An upstream DNS server.
struct Nameserver {
  IpAddress address;
  uint16_t port = 53;

  bool operator==(const Nameserver&) const = default;
};

// "IP", "IP:PORT", "[IPv6]", "[IPv6]:PORT", or a bare IPv6 address without a port. Port
// 1-65535, default 53. kInvalidArgument "DNS nameserver '<text>': <what>". Thread-safe.
[[nodiscard]] Result<Nameserver> parse_nameserver(std::string_view text);

// "192.0.2.53:53", "[2001:db8::53]:53". Thread-safe.
std::string format_nameserver(const Nameserver& server);

}  // namespace msb::net
