// The replies a blocked guest packet gets: a TCP reset or an ICMP error, written as if by
// the host the guest tried to reach, so its stack fails the attempt at once instead of
// retrying into silence.
#include <algorithm>
#include <array>

#include "net/byte_order.h"
#include "net/packet.h"
#include "net/packet_layout.h"

namespace msb::net {
namespace {

constexpr size_t kIcmpV4ReplyLimit = 576;   // RFC 1812 4.3.2.3
constexpr size_t kIcmpV6ReplyLimit = 1280;  // RFC 4443 2.4(c): the IPv6 minimum MTU
constexpr uint8_t kIcmpUnreachable = 3, kIcmpAdministrativelyProhibited = 13;
constexpr uint8_t kIcmpV6Unreachable = 1, kIcmpV6AdministrativelyProhibited = 1;
constexpr uint8_t kIcmpV6Redirect = 137;

// `info` must describe `frame` the way parse_frame() left it, so the quoting below never
// reads outside the frame whatever the caller passes.
Result<void> check_info(std::span<const uint8_t> frame, const FrameInfo& info) {
  if (info.kind != FrameInfo::Kind::kIpv4 && info.kind != FrameInfo::Kind::kIpv6)
    return err(ErrorKind::kInvalidArgument, "reply: not an IP frame");
  const bool fits = info.l3_offset <= frame.size() &&
                    info.l3_length <= frame.size() - info.l3_offset &&
                    info.payload_offset <= frame.size() &&
                    info.payload_length <= frame.size() - info.payload_offset;
  const bool v4 = info.kind == FrameInfo::Kind::kIpv4;
  if (!fits || info.source.is_v4() != v4 || info.destination.is_v4() != v4)
    return err(ErrorKind::kInvalidArgument, "reply: frame info does not describe the frame");
  return {};
}

FrameAddresses reply_addresses(const FrameInfo& info) {
  return {info.destination_mac, info.source_mac, info.destination, info.source};
}

bool is_icmp_error(const FrameInfo& info) {
  if (info.kind == FrameInfo::Kind::kIpv4) {
    if (info.protocol != kIcmp) return false;
    // Destination unreachable, source quench, redirect, time exceeded, parameter problem.
    const uint8_t type = info.icmp_type;
    return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
  }
  // Types below 128 are ICMPv6 errors (RFC 4443 2.1).
  return info.protocol == kIcmpV6 && (info.icmp_type < 128 || info.icmp_type == kIcmpV6Redirect);
}

// Multicast or broadcast: 224.0.0.0/3 (multicast, reserved, 255.255.255.255) or ff00::/8.
bool is_group_address(const IpAddress& address) {
  return address.is_v4() ? address.bytes()[0] >= 224 : address.bytes()[0] == 0xff;
}

// Not one host: a group, unspecified (0.0.0.0/8, ::) or v4 loopback (RFC 1122 3.2.2).
bool is_single_host(const IpAddress& address) {
  std::span<const uint8_t> bytes = address.bytes();
  const bool zero = std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
  if (address.is_v4()) return !is_group_address(address) && bytes[0] != 0 && bytes[0] != 127;
  return !is_group_address(address) && !zero;
}

Result<void> check_icmp_error_allowed(const FrameInfo& info) {
  if (!info.first_fragment)
    return err(ErrorKind::kInvalidArgument, "no ICMP error for a non-first fragment");
  if (is_icmp_error(info))
    return err(ErrorKind::kInvalidArgument, "no ICMP error in answer to an ICMP error");
  if (is_group_address(info.destination))
    return err(ErrorKind::kInvalidArgument, "no ICMP error for a packet to {}",
               info.destination.to_string());
  if (!is_single_host(info.source))
    return err(ErrorKind::kInvalidArgument, "no ICMP error for a packet from {}",
               info.source.to_string());
  return {};
}

}  // namespace

Result<std::vector<uint8_t>> build_tcp_reset(std::span<const uint8_t> frame,
                                             const FrameInfo& info) {
  MSB_TRY(check_info(frame, info));
  if (info.protocol != kTcp || !info.first_fragment)
    return err(ErrorKind::kInvalidArgument, "reset: not a TCP segment with its header");
  if (info.tcp_flags & kTcpRst)
    return err(ErrorKind::kInvalidArgument, "reset: never in answer to a reset");
  // SYN and FIN each take one sequence number; the sum wraps modulo 2^32 as TCP does.
  const uint32_t acknowledgment = info.tcp_sequence + uint32_t(info.payload_length) +
                                  ((info.tcp_flags & kTcpSyn) ? 1 : 0) +
                                  ((info.tcp_flags & kTcpFin) ? 1 : 0);
  std::array<uint8_t, kTcpMinHeaderSize> segment{};
  store_be16(segment, 0, info.destination_port);
  store_be16(segment, 2, info.source_port);
  store_be32(segment, 4, (info.tcp_flags & kTcpAck) ? info.tcp_acknowledgment : 0);
  store_be32(segment, 8, acknowledgment);
  segment[12] = uint8_t(kTcpMinHeaderSize / 4) << 4;
  segment[13] = kTcpRst | kTcpAck;
  return build_ip_frame(reply_addresses(info), kTcp, segment);
}

Result<std::vector<uint8_t>> build_icmp_unreachable(std::span<const uint8_t> frame,
                                                    const FrameInfo& info) {
  MSB_TRY(check_info(frame, info));
  MSB_TRY(check_icmp_error_allowed(info));
  const bool v4 = info.kind == FrameInfo::Kind::kIpv4;
  const size_t reply_limit = v4 ? kIcmpV4ReplyLimit : kIcmpV6ReplyLimit;
  const size_t ip_header_size = v4 ? kIpv4MinHeaderSize : kIpv6HeaderSize;
  // As much of the offending packet as fits: always its IP header and 8 payload bytes.
  const size_t quote_size =
      std::min(info.l3_length, reply_limit - ip_header_size - kIcmpHeaderSize);
  std::vector<uint8_t> segment(kIcmpHeaderSize + quote_size);
  segment[0] = v4 ? kIcmpUnreachable : kIcmpV6Unreachable;
  segment[1] = v4 ? kIcmpAdministrativelyProhibited : kIcmpV6AdministrativelyProhibited;
  std::span<const uint8_t> quote = frame.subspan(info.l3_offset, quote_size);
  std::copy(quote.begin(), quote.end(), segment.begin() + kIcmpHeaderSize);
  return build_ip_frame(reply_addresses(info), v4 ? kIcmp : kIcmpV6, segment);
}

}  // namespace msb::net
