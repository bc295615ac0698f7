#include <algorithm>
#include <optional>

#include "net/byte_order.h"
#include "net/checksum.h"
#include "net/packet.h"
#include "net/packet_layout.h"

namespace msb::net {
namespace {

// Where a protocol keeps its checksum, the least its header holds, and whether the sum
// covers the IP pseudo header.
struct ChecksumField {
  size_t offset = 0;
  size_t header_size = 0;
  bool pseudo_header = true;
};

std::optional<ChecksumField> checksum_field(uint8_t protocol, bool v4) {
  if (protocol == kTcp) return ChecksumField{16, kTcpMinHeaderSize, true};
  if (protocol == kUdp) return ChecksumField{6, kUdpHeaderSize, true};
  if (v4 && protocol == kIcmp) return ChecksumField{2, kIcmpHeaderSize, false};
  if (!v4 && protocol == kIcmpV6) return ChecksumField{2, kIcmpHeaderSize, true};
  return std::nullopt;
}

void write_ethernet_header(std::span<uint8_t> frame, const FrameAddresses& addresses) {
  std::copy(addresses.destination_mac.begin(), addresses.destination_mac.end(), frame.begin());
  std::copy(addresses.source_mac.begin(), addresses.source_mac.end(), frame.begin() + 6);
  store_be16(frame, kEtherTypeOffset, addresses.source.is_v4() ? kEtherTypeIpv4 : kEtherTypeIpv6);
}

void write_addresses(std::span<uint8_t> header, size_t offset, const FrameAddresses& addresses) {
  std::span<const uint8_t> source = addresses.source.bytes();
  std::span<const uint8_t> destination = addresses.destination.bytes();
  std::copy(source.begin(), source.end(), header.begin() + offset);
  std::copy(destination.begin(), destination.end(), header.begin() + offset + source.size());
}

// Version 4, no options, id 0, DF clear, TTL 64.
void write_ipv4_header(std::span<uint8_t> header, const FrameAddresses& addresses, uint8_t protocol,
                       size_t payload_size) {
  header[0] = 0x45;
  store_be16(header, 2, uint16_t(kIpv4MinHeaderSize + payload_size));
  header[8] = kDefaultTtl;
  header[9] = protocol;
  write_addresses(header, 12, addresses);
  store_be16(header, 10, internet_checksum(header.first(kIpv4MinHeaderSize)));
}

// Version 6, traffic class and flow label 0, hop limit 64.
void write_ipv6_header(std::span<uint8_t> header, const FrameAddresses& addresses, uint8_t protocol,
                       size_t payload_size) {
  header[0] = 0x60;
  store_be16(header, 4, uint16_t(payload_size));
  header[6] = protocol;
  header[7] = kDefaultTtl;
  write_addresses(header, 8, addresses);
}

void fill_checksum(std::span<uint8_t> segment, const FrameAddresses& addresses, uint8_t protocol,
                   const ChecksumField& field) {
  store_be16(segment, field.offset, 0);
  uint16_t checksum =
      field.pseudo_header
          ? transport_checksum(addresses.source, addresses.destination, protocol, segment)
          : internet_checksum(segment);
  // A UDP checksum of 0 means "none"; the same sum is sent as its other form (RFC 768).
  if (protocol == kUdp && checksum == 0) checksum = 0xffff;
  store_be16(segment, field.offset, checksum);
}

}  // namespace

Result<std::vector<uint8_t>> build_ip_frame(const FrameAddresses& addresses, uint8_t protocol,
                                            std::span<const uint8_t> segment) {
  if (addresses.source.family() != addresses.destination.family())
    return err(ErrorKind::kInvalidArgument, "frame from {} to {}: address families differ",
               addresses.source.to_string(), addresses.destination.to_string());
  const bool v4 = addresses.source.is_v4();
  const size_t ip_header_size = v4 ? kIpv4MinHeaderSize : kIpv6HeaderSize;
  // The v4 total length counts its header; the v6 payload length does not.
  const size_t limit = v4 ? kMaxIpPacketSize - kIpv4MinHeaderSize : kMaxIpPacketSize;
  if (segment.size() > limit)
    return err(ErrorKind::kInvalidArgument, "{}-byte segment does not fit in one IP packet",
               segment.size());
  const std::optional<ChecksumField> field = checksum_field(protocol, v4);
  if (field && segment.size() < field->header_size)
    return err(ErrorKind::kInvalidArgument, "{}-byte segment is shorter than its header",
               segment.size());
  std::vector<uint8_t> frame(kEthernetHeaderSize + ip_header_size + segment.size());
  std::span<uint8_t> bytes(frame);
  write_ethernet_header(bytes, addresses);
  std::span<uint8_t> ip_header = bytes.subspan(kEthernetHeaderSize, ip_header_size);
  if (v4)
    write_ipv4_header(ip_header, addresses, protocol, segment.size());
  else
    write_ipv6_header(ip_header, addresses, protocol, segment.size());
  std::span<uint8_t> l4 = bytes.subspan(kEthernetHeaderSize + ip_header_size);
  std::copy(segment.begin(), segment.end(), l4.begin());
  if (field) fill_checksum(l4, addresses, protocol, *field);
  return frame;
}

Result<std::vector<uint8_t>> build_udp_frame(const UdpEndpoint& from, const UdpEndpoint& to,
                                             std::span<const uint8_t> payload) {
  if (payload.size() > kMaxIpPacketSize - kUdpHeaderSize)
    return err(ErrorKind::kInvalidArgument, "{}-byte UDP payload does not fit in a datagram",
               payload.size());
  std::vector<uint8_t> segment(kUdpHeaderSize + payload.size());
  store_be16(segment, 0, from.port);
  store_be16(segment, 2, to.port);
  store_be16(segment, 4, uint16_t(segment.size()));
  std::copy(payload.begin(), payload.end(), segment.begin() + kUdpHeaderSize);
  return build_ip_frame({from.mac, to.mac, from.address, to.address}, kUdp, segment);
}

}  // namespace msb::net
