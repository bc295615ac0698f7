#include "os/interface_settings.h"

#include <arpa/inet.h>

#include <charconv>
#include <string>
#include <tuple>
#include <vector>

#include "common/split.h"

namespace msb::os {
namespace {

template <class Int>
Result<Int> parse_number(std::string_view text, Int low, Int high, std::string_view what) {
  Int value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < low ||
      value > high)
    return err(ErrorKind::kInvalidArgument, "net: {} '{}' is not {}-{}", what, text, low, high);
  return value;
}

template <class Address>
Result<Address> parse_address(int family, std::string_view text) {
  Address address{};
  std::string copy(text);
  if (::inet_pton(family, copy.c_str(), &address) != 1)
    return err(ErrorKind::kInvalidArgument, "net: '{}' is not an IPv{} address", text,
               family == AF_INET ? 4 : 6);
  return address;
}

// "ADDRESS/PREFIX" into an address and its prefix length.
template <class Address>
Result<std::pair<Address, uint8_t>> parse_cidr(int family, std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos)
    return err(ErrorKind::kInvalidArgument, "net: '{}' has no /PREFIX", text);
  Address address = MSB_TRY(parse_address<Address>(family, text.substr(0, slash)));
  uint8_t max = family == AF_INET ? 32 : 128;
  uint8_t prefix = MSB_TRY(parse_number<uint8_t>(text.substr(slash + 1), 1, max, "prefix"));
  return std::pair{address, prefix};
}

}  // namespace

Result<InterfaceSettings> parse_interface_settings(std::string_view text) {
  std::vector<std::string_view> parts = split(text, ',');
  if (parts.size() != 3 && parts.size() != 5)
    return err(ErrorKind::kInvalidArgument,
               "net: expected IPV4/PREFIX,GATEWAY,MTU[,IPV6/PREFIX,GATEWAY6], got '{}'", text);
  InterfaceSettings eth0;
  std::tie(eth0.ipv4, eth0.ipv4_prefix) = MSB_TRY(parse_cidr<in_addr>(AF_INET, parts[0]));
  eth0.gateway_v4 = MSB_TRY(parse_address<in_addr>(AF_INET, parts[1]));
  // 1280: the IPv6 minimum; 65521: what virtio-net and a TAP device accept.
  eth0.mtu = MSB_TRY(parse_number<uint32_t>(parts[2], 1280, 65521, "mtu"));
  if (parts.size() == 5) {
    auto [address, prefix] = MSB_TRY(parse_cidr<in6_addr>(AF_INET6, parts[3]));
    eth0.ipv6 = address;
    eth0.ipv6_prefix = prefix;
    eth0.gateway_v6 = MSB_TRY(parse_address<in6_addr>(AF_INET6, parts[4]));
  }
  return eth0;
}

}  // namespace msb::os
