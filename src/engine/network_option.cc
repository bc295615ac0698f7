#include "engine/network_option.h"

#include <fmt/format.h>

namespace msb::engine {
namespace {

bool is_address_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' ||
         c == ':' || c == '/';
}

const std::string& checked(const std::string& value) {
  MSB_CHECK(!value.empty());
  for (char c : value) MSB_CHECK(is_address_char(c));
  return value;
}

}  // namespace

std::string agent_network_option(const GuestNetworkSpec& network) {
  std::string option =
      fmt::format("{},{},{}", checked(network.ipv4_cidr), checked(network.gateway_v4), network.mtu);
  if (!network.ipv6_cidr.empty())
    option += fmt::format(",{},{}", checked(network.ipv6_cidr), checked(network.gateway_v6));
  return option;
}

void check_mac(const std::string& mac) {
  MSB_CHECK(mac.size() == 17);
  for (size_t i = 0; i < mac.size(); ++i) {
    bool colon = i % 3 == 2;
    MSB_CHECK(colon ? mac[i] == ':' : is_address_char(mac[i]) && mac[i] != '.' && mac[i] != '/');
  }
}

}  // namespace msb::engine
