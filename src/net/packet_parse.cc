// SECURITY: every byte parsed here comes from the guest. Each header's length is checked
// against the bytes that remain before it is read (byte_order.h aborts on a slip), and no
// length field is trusted beyond the frame that carries it.
#include <algorithm>

#include "net/byte_order.h"
#include "net/packet.h"
#include "net/packet_layout.h"

namespace msb::net {
namespace {

constexpr uint16_t kIpv4MoreFragments = 0x2000;
constexpr uint16_t kIpv4FragmentOffsetMask = 0x1fff;
constexpr uint8_t kIpv6HopByHop = 0, kIpv6Routing = 43, kIpv6Fragment = 44, kIpv6Auth = 51,
                  kIpv6DestinationOptions = 60, kIpv6Mobility = 135, kIpv6Hip = 139,
                  kIpv6Shim6 = 140;
// No legitimate packet carries this many; a longer chain is a filter-evasion attempt.
constexpr int kMaxExtensionHeaders = 8;

bool is_ipv6_extension(uint8_t next_header) {
  switch (next_header) {
    case kIpv6HopByHop:
    case kIpv6Routing:
    case kIpv6Fragment:
    case kIpv6Auth:
    case kIpv6DestinationOptions:
    case kIpv6Mobility:
    case kIpv6Hip:
    case kIpv6Shim6:
      return true;
    default:
      return false;
  }
}

void copy_mac(std::span<const uint8_t> frame, size_t offset, MacAddress& mac) {
  std::copy_n(frame.subspan(offset, mac.size()).begin(), mac.size(), mac.begin());
}

// The parsers below read the header at info.l4_offset; `end` is where the IP packet ends.
Result<void> parse_tcp(std::span<const uint8_t> frame, size_t end, FrameInfo& info) {
  const size_t offset = info.l4_offset;
  if (end - offset < kTcpMinHeaderSize)
    return err(ErrorKind::kProtocol, "frame: TCP header truncated ({} bytes)", end - offset);
  const size_t header_size = size_t(frame[offset + 12] >> 4) * 4;
  if (header_size < kTcpMinHeaderSize || header_size > end - offset)
    return err(ErrorKind::kProtocol, "frame: bad TCP data offset {}", header_size);
  info.source_port = load_be16(frame, offset);
  info.destination_port = load_be16(frame, offset + 2);
  info.tcp_sequence = load_be32(frame, offset + 4);
  info.tcp_acknowledgment = load_be32(frame, offset + 8);
  info.tcp_flags = frame[offset + 13];
  info.payload_offset = offset + header_size;
  info.payload_length = end - info.payload_offset;
  return {};
}

Result<void> parse_udp(std::span<const uint8_t> frame, size_t end, FrameInfo& info) {
  const size_t offset = info.l4_offset;
  if (end - offset < kUdpHeaderSize)
    return err(ErrorKind::kProtocol, "frame: UDP header truncated ({} bytes)", end - offset);
  const size_t length = load_be16(frame, offset + 4);
  // A fragment carries only the start of the datagram its length field describes.
  const bool consistent =
      length >= kUdpHeaderSize && (info.fragment ? length >= end - offset : length <= end - offset);
  if (!consistent)
    return err(ErrorKind::kProtocol, "frame: UDP length {} for {} bytes", length, end - offset);
  info.source_port = load_be16(frame, offset);
  info.destination_port = load_be16(frame, offset + 2);
  info.payload_offset = offset + kUdpHeaderSize;
  info.payload_length = std::min(length, end - offset) - kUdpHeaderSize;
  return {};
}

Result<void> parse_icmp(std::span<const uint8_t> frame, size_t end, FrameInfo& info) {
  const size_t offset = info.l4_offset;
  if (end - offset < kIcmpHeaderSize)
    return err(ErrorKind::kProtocol, "frame: ICMP header truncated ({} bytes)", end - offset);
  info.icmp_type = frame[offset];
  info.icmp_code = frame[offset + 1];
  info.payload_offset = offset + kIcmpHeaderSize;
  info.payload_length = end - info.payload_offset;
  return {};
}

// Fills the L4 fields from info.l4_offset up to `end`, the end of the IP packet.
Result<void> parse_transport(std::span<const uint8_t> frame, size_t end, FrameInfo& info) {
  info.payload_offset = info.l4_offset;
  info.payload_length = end - info.l4_offset;
  if (!info.first_fragment) return {};
  const uint8_t icmp = info.kind == FrameInfo::Kind::kIpv4 ? kIcmp : kIcmpV6;
  if (info.protocol == kTcp) return parse_tcp(frame, end, info);
  if (info.protocol == kUdp) return parse_udp(frame, end, info);
  if (info.protocol == icmp) return parse_icmp(frame, end, info);
  return {};
}

// Returns where the IPv4 packet ends.
Result<size_t> parse_ipv4(std::span<const uint8_t> frame, FrameInfo& info) {
  const size_t offset = info.l3_offset;
  const size_t available = frame.size() - offset;
  if (available < kIpv4MinHeaderSize)
    return err(ErrorKind::kProtocol, "frame: IPv4 header truncated ({} bytes)", available);
  if (frame[offset] >> 4 != 4)
    return err(ErrorKind::kProtocol, "frame: IPv4 with version {}", frame[offset] >> 4);
  const size_t header_size = size_t(frame[offset] & 0x0f) * 4;
  const size_t total_length = load_be16(frame, offset + 2);
  if (header_size < kIpv4MinHeaderSize || header_size > total_length)
    return err(ErrorKind::kProtocol, "frame: bad IPv4 header length {}", header_size);
  if (total_length > available)
    return err(ErrorKind::kProtocol, "frame: IPv4 length {} past the frame ({})", total_length,
               available);
  const uint16_t fragment_field = load_be16(frame, offset + 6);
  info.fragment = (fragment_field & (kIpv4MoreFragments | kIpv4FragmentOffsetMask)) != 0;
  info.first_fragment = (fragment_field & kIpv4FragmentOffsetMask) == 0;
  info.ttl = frame[offset + 8];
  info.protocol = frame[offset + 9];
  info.source = IpAddress::from_bytes(IpAddress::Family::kV4, frame.subspan(offset + 12, 4));
  info.destination = IpAddress::from_bytes(IpAddress::Family::kV4, frame.subspan(offset + 16, 4));
  info.l4_offset = offset + header_size;
  info.l3_length = total_length;
  return offset + total_length;
}

// Follows the extension header chain from info.l4_offset (just after the fixed header) with
// `next` the fixed header's Next Header, up to `end`; leaves l4_offset and protocol at the
// upper-layer header.
Result<void> parse_ipv6_extensions(std::span<const uint8_t> frame, size_t end, uint8_t next,
                                   FrameInfo& info) {
  size_t offset = info.l4_offset;
  for (int count = 0; is_ipv6_extension(next); ++count) {
    if (count == kMaxExtensionHeaders)
      return err(ErrorKind::kProtocol, "frame: more than {} IPv6 extension headers", count);
    // SECURITY: a hop-by-hop header anywhere but first, or a second fragment header, is
    // malformed (RFC 8200 4.1); endpoints disagree on such packets, so none passes.
    if (next == kIpv6HopByHop && count != 0)
      return err(ErrorKind::kProtocol, "frame: IPv6 hop-by-hop header not first");
    if (end - offset < 8)
      return err(ErrorKind::kProtocol, "frame: IPv6 extension header truncated");
    size_t length = (size_t(frame[offset + 1]) + 1) * 8;
    if (next == kIpv6Auth) length = (size_t(frame[offset + 1]) + 2) * 4;
    if (next == kIpv6Fragment) {
      if (info.fragment) return err(ErrorKind::kProtocol, "frame: two IPv6 fragment headers");
      length = 8;
      info.fragment = true;
      info.first_fragment = (load_be16(frame, offset + 2) & 0xfff8) == 0;
    }
    if (length > end - offset)
      return err(ErrorKind::kProtocol, "frame: IPv6 extension header past the packet");
    next = frame[offset];
    offset += length;
    // A later fragment holds no headers of its own beyond this point.
    if (!info.first_fragment) break;
  }
  info.protocol = next;
  info.l4_offset = offset;
  return {};
}

// Returns where the IPv6 packet ends.
Result<size_t> parse_ipv6(std::span<const uint8_t> frame, FrameInfo& info) {
  const size_t offset = info.l3_offset;
  const size_t available = frame.size() - offset;
  if (available < kIpv6HeaderSize)
    return err(ErrorKind::kProtocol, "frame: IPv6 header truncated ({} bytes)", available);
  if (frame[offset] >> 4 != 6)
    return err(ErrorKind::kProtocol, "frame: IPv6 with version {}", frame[offset] >> 4);
  const size_t payload_length = load_be16(frame, offset + 4);
  if (payload_length > available - kIpv6HeaderSize)
    return err(ErrorKind::kProtocol, "frame: IPv6 payload length {} past the frame ({})",
               payload_length, available - kIpv6HeaderSize);
  info.ttl = frame[offset + 7];
  info.source = IpAddress::from_bytes(IpAddress::Family::kV6, frame.subspan(offset + 8, 16));
  info.destination = IpAddress::from_bytes(IpAddress::Family::kV6, frame.subspan(offset + 24, 16));
  info.l3_length = kIpv6HeaderSize + payload_length;
  info.l4_offset = offset + kIpv6HeaderSize;
  const size_t end = offset + info.l3_length;
  MSB_TRY(parse_ipv6_extensions(frame, end, frame[offset + 6], info));
  return end;
}

}  // namespace

Result<FrameInfo> parse_frame(std::span<const uint8_t> frame) {
  if (frame.size() < kEthernetHeaderSize)
    return err(ErrorKind::kProtocol, "frame: {} bytes, shorter than an Ethernet header",
               frame.size());
  FrameInfo info;
  copy_mac(frame, 0, info.destination_mac);
  copy_mac(frame, 6, info.source_mac);
  info.l3_offset = kEthernetHeaderSize;
  size_t end = 0;
  switch (load_be16(frame, kEtherTypeOffset)) {
    case kEtherTypeArp:
      info.kind = FrameInfo::Kind::kArp;
      return info;
    case kEtherTypeIpv4:
      info.kind = FrameInfo::Kind::kIpv4;
      end = MSB_TRY(parse_ipv4(frame, info));
      break;
    case kEtherTypeIpv6:
      info.kind = FrameInfo::Kind::kIpv6;
      end = MSB_TRY(parse_ipv6(frame, info));
      break;
    default:
      // SECURITY: VLAN tags (0x8100, 0x88a8) land here too: the filter sees kOther and
      // drops them rather than parsing an inner frame slirp would never route.
      return info;
  }
  MSB_TRY(parse_transport(frame, end, info));
  return info;
}

}  // namespace msb::net
