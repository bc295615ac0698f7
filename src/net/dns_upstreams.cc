#include "net/dns_upstreams.h"

#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "net/published_port.h"
#include "os/file.h"

namespace msb::net {

SocketAddress SocketAddress::of(const IpAddress& address, uint16_t port) {
  SocketAddress result;
  if (address.is_v4()) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&result.storage);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    std::memcpy(&v4->sin_addr, address.bytes().data(), 4);
    result.length = sizeof(sockaddr_in);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&result.storage);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    std::memcpy(&v6->sin6_addr, address.bytes().data(), 16);
    result.length = sizeof(sockaddr_in6);
  }
  return result;
}

IpAddress SocketAddress::address() const {
  if (storage.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage);
    return IpAddress::from_bytes(IpAddress::Family::kV4,
                                 {reinterpret_cast<const uint8_t*>(&v4->sin_addr), 4});
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage);
  return IpAddress::from_bytes(IpAddress::Family::kV6,
                               {reinterpret_cast<const uint8_t*>(&v6->sin6_addr), 16});
}

uint16_t SocketAddress::port() const {
  if (storage.ss_family == AF_INET)
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
}

std::vector<SocketAddress> resolv_conf_nameservers(std::string_view text) {
  std::vector<SocketAddress> servers;
  while (!text.empty()) {
    const size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    constexpr std::string_view kKeyword = "nameserver";
    if (!line.starts_with(kKeyword) || line.size() == kKeyword.size()) continue;
    line.remove_prefix(kKeyword.size());
    if (line[0] != ' ' && line[0] != '\t') continue;
    const size_t first = line.find_first_not_of(" \t");
    if (first == line.npos) continue;
    line.remove_prefix(first);
    line = line.substr(0, line.find_first_of(" \t\r#;"));
    if (Result<IpAddress> address = IpAddress::parse(line))
      servers.push_back(SocketAddress::of(*address, 53));
  }
  return servers;
}

Result<std::vector<SocketAddress>> upstream_nameservers(
    const std::vector<std::string>& configured) {
  std::vector<SocketAddress> servers;
  for (const std::string& text : configured) {
    Nameserver server = MSB_TRY(parse_nameserver(text));
    servers.push_back(SocketAddress::of(server.address, server.port));
  }
  if (!configured.empty()) return servers;
  Result<std::string> resolv_conf = os::read_file("/etc/resolv.conf");
  if (!resolv_conf) return servers;
  return resolv_conf_nameservers(*resolv_conf);
}

}  // namespace msb::net
