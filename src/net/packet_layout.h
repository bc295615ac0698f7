// Wire layout of the headers the packet code reads and writes: Ethernet, IPv4, IPv6,
// TCP, UDP and ICMP sizes, offsets and type numbers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace msb::net {

inline constexpr size_t kEthernetHeaderSize = 14;
inline constexpr size_t kEtherTypeOffset = 12;
inline constexpr uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr uint16_t kEtherTypeArp = 0x0806;
inline constexpr uint16_t kEtherTypeIpv6 = 0x86dd;

inline constexpr size_t kIpv4MinHeaderSize = 20;
inline constexpr size_t kIpv6HeaderSize = 40;
inline constexpr size_t kTcpMinHeaderSize = 20;
inline constexpr size_t kUdpHeaderSize = 8;
inline constexpr size_t kIcmpHeaderSize = 8;  // type, code, checksum, four message bytes
inline constexpr size_t kMaxIpPacketSize = 65535;

inline constexpr uint8_t kDefaultTtl = 64;

}  // namespace msb::net
