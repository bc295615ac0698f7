// Ethernet frames between the guest and its user-space network: parsing what the guest
// sends (untrusted) and building the frames sent back to it. Pure computation on bytes:
// no I/O, and every function is thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/error.h"
#include "net/ip_address.h"

namespace msb::net {

using MacAddress = std::array<uint8_t, 6>;

// IP protocol numbers.
inline constexpr uint8_t kTcp = 6, kUdp = 17, kIcmp = 1, kIcmpV6 = 58;
// TCP flag bits (the 14th byte of the TCP header).
inline constexpr uint8_t kTcpFin = 1, kTcpSyn = 2, kTcpRst = 4, kTcpPsh = 8, kTcpAck = 16;

// What parse_frame() read off a frame. Offsets index the frame that was parsed.
struct FrameInfo {
  enum class Kind { kArp, kIpv4, kIpv6, kOther } kind = Kind::kOther;
  MacAddress source_mac{}, destination_mac{};
  IpAddress source, destination;  // kIpv4 and kIpv6
  uint8_t protocol = 0;           // the L4 protocol number, after any v6 extension headers
  bool fragment = false;          // any IP fragment (v4 MF or offset, a v6 fragment header)
  bool first_fragment = true;     // false for a non-first fragment: it has no L4 header
  uint16_t source_port = 0, destination_port = 0;  // TCP and UDP, first fragment only
  uint8_t tcp_flags = 0;
  uint32_t tcp_sequence = 0, tcp_acknowledgment = 0;
  uint8_t icmp_type = 0, icmp_code = 0;  // ICMP for v4, ICMPv6 for v6
  // l3: the IP header; l4: the header after the IP header and its v6 extension headers;
  // payload: the TCP/UDP/ICMP payload (after an 8-byte ICMP header); for any other protocol
  // and for a non-first fragment, everything after the IP headers.
  size_t l3_offset = 0, l4_offset = 0, payload_offset = 0, payload_length = 0;
  // The IP packet's own length (header and payload, no Ethernet padding).
  size_t l3_length = 0;
  uint8_t ttl = 0;  // the hop limit for v6
};

// Parses an Ethernet frame from the guest. ARP is kArp with only the MACs and l3_offset
// set; IPv4 and IPv6 are parsed down to their TCP, UDP or ICMP header; anything else,
// including 802.1Q/802.1ad VLAN-tagged frames, is kOther. Bytes after the IP packet's own
// length (Ethernet padding) are ignored. kProtocol for a frame that cannot be what it
// claims: shorter than an Ethernet header, an IP version that does not match the
// EtherType, a length field that runs past the frame, a header length below its minimum,
// more than 8 IPv6 extension headers, a hop-by-hop header that is not the first, two
// fragment headers, a first fragment that does not hold its whole L4 header, or a UDP
// length that disagrees with the packet. Never reads outside `frame`.
[[nodiscard]] Result<FrameInfo> parse_frame(std::span<const uint8_t> frame);

// The addresses of a frame to build.
struct FrameAddresses {
  MacAddress source_mac{}, destination_mac{};
  IpAddress source, destination;
};

// Ethernet + IP header (v4: 20 bytes, TTL 64, id 0, DF clear; v6: hop limit 64) around an
// L4 `segment` of `protocol`, whose checksum field is filled in (TCP, UDP, ICMP, ICMPv6;
// other protocols are carried as given). kInvalidArgument when the two addresses are of
// different families, the segment does not fit a non-jumbo packet (v4: header and segment
// at most 65535 bytes; v6: segment at most 65535, its payload length field), or a TCP, UDP
// or ICMP segment is shorter than its header.
[[nodiscard]] Result<std::vector<uint8_t>> build_ip_frame(const FrameAddresses& addresses,
                                                          uint8_t protocol,
                                                          std::span<const uint8_t> segment);

struct UdpEndpoint {
  MacAddress mac{};
  IpAddress address;
  uint16_t port = 0;
};

// A whole Ethernet + IP + UDP frame carrying `payload` (the DNS answers the gateway sends).
// kInvalidArgument when the endpoints' address families differ (a v4-mapped v6 address is
// not unmapped here) or the payload does not fit in one datagram: at most 65507 bytes over
// v4 (a 65535-byte packet), 65527 over v6 (the UDP length field).
[[nodiscard]] Result<std::vector<uint8_t>> build_udp_frame(const UdpEndpoint& from,
                                                           const UdpEndpoint& to,
                                                           std::span<const uint8_t> payload);

// The replies below answer a guest frame as its destination host would: source address,
// port and MAC are the original destination's. `info` is parse_frame(frame).

// A TCP RST|ACK answering a guest segment: seq = its ack (0 when it has no ACK), ack = its
// seq + payload length + SYN + FIN (for a fragmented segment, the first fragment's payload
// only). kInvalidArgument when the frame is not a first-fragment IP TCP segment or is
// itself a RST (RFC 9293: never answer a reset).
[[nodiscard]] Result<std::vector<uint8_t>> build_tcp_reset(std::span<const uint8_t> frame,
                                                           const FrameInfo& info);

// An ICMP "administratively prohibited" error for a guest packet: v4 type 3 code 13 quoting
// the packet up to a 576-byte reply (RFC 792, RFC 1812 4.3.2.3); v6 type 1 code 1 quoting it
// up to a 1280-byte reply (RFC 4443). kInvalidArgument where RFC 1122 3.2.2 and RFC 4443
// 2.4(e) forbid an error: in answer to an ICMP error (or an ICMPv6 redirect), to a
// non-first fragment, to a multicast or broadcast destination, or to a source that is not
// one host (unspecified, multicast, broadcast).
[[nodiscard]] Result<std::vector<uint8_t>> build_icmp_unreachable(std::span<const uint8_t> frame,
                                                                  const FrameInfo& info);

}  // namespace msb::net

namespace msb::net {

// Sets the TCP source (or destination) port of the parsed `frame` in place and adjusts the
// TCP checksum incrementally (RFC 1624), as a NAT does. REQUIRES: `info` is
// parse_frame(frame) of a first-fragment TCP segment.
void rewrite_tcp_port(std::span<uint8_t> frame, const FrameInfo& info, bool source, uint16_t port);

}  // namespace msb::net
