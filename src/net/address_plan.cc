#include "net/address_plan.h"

#include <arpa/inet.h>
#include <fmt/format.h>

namespace msb::net {

AddressPlan plan_addresses(uint32_t slot) {
  slot &= 0xffff;
  AddressPlan plan;
  uint32_t base = (172u << 24) | (16u << 16) | (slot << 2);
  plan.network.s_addr = htonl(base);
  plan.netmask.s_addr = htonl(~uint32_t{0} << (32 - plan.prefix));
  plan.gateway.s_addr = htonl(base + 1);
  plan.guest.s_addr = htonl(base + 2);
  const uint8_t prefix[8] = {0xfd, 0x42, 0x6d, 0x73, 0x00, 0x62, uint8_t(slot >> 8), uint8_t(slot)};
  for (in6_addr* address : {&plan.prefix6, &plan.gateway6, &plan.guest6}) {
    *address = in6_addr{};
    for (int i = 0; i < 8; ++i) address->s6_addr[i] = prefix[i];
  }
  plan.gateway6.s6_addr[15] = 1;
  plan.guest6.s6_addr[15] = 2;
  plan.guest_mac = fmt::format("02:6d:73:{:02x}:{:02x}:02", slot >> 8, slot & 0xff);
  plan.gateway_mac = fmt::format("02:6d:73:{:02x}:{:02x}:01", slot >> 8, slot & 0xff);
  return plan;
}

uint32_t slot_for_name(const std::string& name) {
  // FNV-1a: stable across builds and platforms, unlike std::hash.
  uint32_t hash = 2166136261u;
  for (unsigned char c : name) hash = (hash ^ c) * 16777619u;
  return hash & 0xffff;
}

std::string to_text(const in_addr& address) {
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &address, text, sizeof text);
  return text;
}

std::string to_text(const in6_addr& address) {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET6, &address, text, sizeof text);
  return text;
}

}  // namespace msb::net
