// What one network interface gets (addresses, gateways, MTU) and its one-line text form,
// which the host passes to the guest agent ("net" option) and the namespace engine applies.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/error.h"

namespace msb::os {

// What one interface gets: addresses, gateways and MTU. IPv6 is optional.
struct InterfaceSettings {
  in_addr ipv4{};
  uint8_t ipv4_prefix = 32;
  in_addr gateway_v4{};
  std::optional<in6_addr> ipv6;
  uint8_t ipv6_prefix = 64;
  in6_addr gateway_v6{};
  uint32_t mtu = 1500;
};

// "IPV4/PREFIX,GATEWAY4,MTU[,IPV6/PREFIX,GATEWAY6]", e.g.
// "172.16.0.2/30,172.16.0.1,1500,fd42:6d73:62::2/64,fd42:6d73:62::1". kInvalidArgument for
// anything else: nobody guesses at a network.
Result<InterfaceSettings> parse_interface_settings(std::string_view text);

}  // namespace msb::os
