// Where a sandbox sits on its own private link: its addresses, its gateway's and their MACs.
// Every sandbox has its own user-space stack, so plans never clash; they differ per sandbox
// only so that logs and packet captures tell sandboxes apart. The derivation is part of the
// compatibility contract: a sandbox keeps its addresses across stop and start.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>

namespace msb::net {

struct AddressPlan {
  // IPv4: one /30 out of 172.16.0.0/12: network, gateway (+1), guest (+2), broadcast.
  in_addr network{};
  in_addr netmask{};
  uint8_t prefix = 30;
  in_addr gateway{};
  in_addr guest{};
  // IPv6: one /64 out of fd42:6d73:62::/48; gateway ::1, guest ::2.
  in6_addr prefix6{};
  uint8_t prefix6_length = 64;
  in6_addr gateway6{};
  in6_addr guest6{};
  // The link is virtual: libslirp segments again for the real network. 64 KiB frames cut
  // the per-frame work (bench/net: 97 -> ~200 MiB/s on the namespace engine).
  uint32_t mtu = 65520;
  std::string guest_mac;    // 02:6d:73:SS:SS:02
  std::string gateway_mac;  // 02:6d:73:SS:SS:01
};

// The plan of slot `slot` (taken modulo 65536). Thread-safe.
AddressPlan plan_addresses(uint32_t slot);

// The slot of a sandbox named `name`: a stable hash of the name. Thread-safe.
uint32_t slot_for_name(const std::string& name);

// "172.16.0.2" / "fd42:6d73:62::2".
std::string to_text(const in_addr& address);
std::string to_text(const in6_addr& address);

}  // namespace msb::net
