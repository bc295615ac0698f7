// Frames assembled by hand for the packet tests, byte by byte and independent of the code
// under test: Ethernet, IPv4, IPv6 (with extension headers), TCP, UDP and ICMP, plus a
// plain reference checksum to verify what the library builds.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "net/ip_address.h"
#include "net/packet.h"

namespace msb::net::test {

using Bytes = std::vector<uint8_t>;

inline constexpr MacAddress kGuestMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
inline constexpr MacAddress kGatewayMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

// Parses an address the test spells out; fails the test if it does not parse.
IpAddress ip(std::string_view text);

void put16(Bytes& bytes, uint16_t value);
void put32(Bytes& bytes, uint32_t value);
Bytes concat(std::span<const uint8_t> head, std::span<const uint8_t> tail);

// Ethernet header (guest → gateway by default) followed by `payload`.
Bytes ethernet(uint16_t ether_type, std::span<const uint8_t> payload);

struct Ipv4Fields {
  uint16_t fragment = 0;  // flags and offset, as on the wire (0x2000 = MF)
  uint8_t ttl = 64;
  size_t option_words = 0;  // extra 4-byte option words (NOPs)
};
// A v4 header (checksum filled in) followed by `payload`.
Bytes ipv4(std::string_view source, std::string_view destination, uint8_t protocol,
           std::span<const uint8_t> payload, Ipv4Fields fields = {});
// A v6 header followed by `payload` (which may start with extension headers).
Bytes ipv6(std::string_view source, std::string_view destination, uint8_t next_header,
           std::span<const uint8_t> payload, uint8_t hop_limit = 64);
// One extension header of `size` bytes (a multiple of 8, at least 8) before `rest`.
Bytes ipv6_extension(uint8_t next_header, size_t size, std::span<const uint8_t> rest);
// A v6 fragment header before `rest`; offset in 8-byte units.
Bytes ipv6_fragment(uint8_t next_header, uint16_t offset, bool more, std::span<const uint8_t> rest);

// L4 headers with a zero checksum.
Bytes tcp(uint16_t source_port, uint16_t destination_port, uint32_t sequence,
          uint32_t acknowledgment, uint8_t flags, std::span<const uint8_t> payload = {});
Bytes udp(uint16_t source_port, uint16_t destination_port, std::span<const uint8_t> payload);
Bytes icmp(uint8_t type, uint8_t code, std::span<const uint8_t> payload = {});

// Whole frames, guest → gateway.
Bytes tcp_v4_frame(uint8_t flags, std::span<const uint8_t> payload = {});
Bytes udp_v4_frame(std::span<const uint8_t> payload);
Bytes tcp_v6_frame(uint8_t flags, std::span<const uint8_t> payload = {});

// RFC 1071 the slow way: sum every 16-bit word, fold, complement.
uint16_t reference_checksum(std::span<const uint8_t> bytes);
// The same over the v4 or v6 pseudo header and `segment`.
uint16_t reference_transport_checksum(const IpAddress& source, const IpAddress& destination,
                                      uint8_t protocol, std::span<const uint8_t> segment);

}  // namespace msb::net::test
