#include "test_frames.h"

#include <gtest/gtest.h>

namespace msb::net::test {

IpAddress ip(std::string_view text) {
  Result<IpAddress> address = IpAddress::parse(text);
  EXPECT_TRUE(address.has_value()) << text;
  return address.value_or(IpAddress{});
}

void put16(Bytes& bytes, uint16_t value) {
  bytes.push_back(uint8_t(value >> 8));
  bytes.push_back(uint8_t(value));
}

void put32(Bytes& bytes, uint32_t value) {
  put16(bytes, uint16_t(value >> 16));
  put16(bytes, uint16_t(value));
}

Bytes concat(std::span<const uint8_t> head, std::span<const uint8_t> tail) {
  Bytes bytes(head.begin(), head.end());
  bytes.insert(bytes.end(), tail.begin(), tail.end());
  return bytes;
}

Bytes ethernet(uint16_t ether_type, std::span<const uint8_t> payload) {
  Bytes bytes(kGatewayMac.begin(), kGatewayMac.end());
  bytes.insert(bytes.end(), kGuestMac.begin(), kGuestMac.end());
  put16(bytes, ether_type);
  return concat(bytes, payload);
}

Bytes ipv4(std::string_view source, std::string_view destination, uint8_t protocol,
           std::span<const uint8_t> payload, Ipv4Fields fields) {
  const size_t header_size = 20 + 4 * fields.option_words;
  Bytes bytes;
  bytes.push_back(uint8_t(0x40 | header_size / 4));
  bytes.push_back(0);
  put16(bytes, uint16_t(header_size + payload.size()));
  put16(bytes, 0x1234);
  put16(bytes, fields.fragment);
  bytes.push_back(fields.ttl);
  bytes.push_back(protocol);
  put16(bytes, 0);
  for (std::string_view text : {source, destination}) {
    const IpAddress address = ip(text);
    bytes.insert(bytes.end(), address.bytes().begin(), address.bytes().end());
  }
  bytes.resize(header_size, 1);  // NOP options
  const uint16_t checksum = reference_checksum(bytes);
  bytes[10] = uint8_t(checksum >> 8);
  bytes[11] = uint8_t(checksum);
  return concat(bytes, payload);
}

Bytes ipv6(std::string_view source, std::string_view destination, uint8_t next_header,
           std::span<const uint8_t> payload, uint8_t hop_limit) {
  Bytes bytes;
  put32(bytes, 0x60000000);
  put16(bytes, uint16_t(payload.size()));
  bytes.push_back(next_header);
  bytes.push_back(hop_limit);
  for (std::string_view text : {source, destination}) {
    const IpAddress address = ip(text);
    bytes.insert(bytes.end(), address.bytes().begin(), address.bytes().end());
  }
  return concat(bytes, payload);
}

Bytes ipv6_extension(uint8_t next_header, size_t size, std::span<const uint8_t> rest) {
  Bytes bytes(size, 0);
  bytes[0] = next_header;
  bytes[1] = uint8_t(size / 8 - 1);
  bytes[2] = 1;  // a PadN option filling the rest
  bytes[3] = uint8_t(size - 4);
  return concat(bytes, rest);
}

Bytes ipv6_fragment(uint8_t next_header, uint16_t offset, bool more,
                    std::span<const uint8_t> rest) {
  Bytes bytes = {next_header, 0};
  put16(bytes, uint16_t(offset << 3 | (more ? 1 : 0)));
  put32(bytes, 0xabcd);
  return concat(bytes, rest);
}

Bytes tcp(uint16_t source_port, uint16_t destination_port, uint32_t sequence,
          uint32_t acknowledgment, uint8_t flags, std::span<const uint8_t> payload) {
  Bytes bytes;
  put16(bytes, source_port);
  put16(bytes, destination_port);
  put32(bytes, sequence);
  put32(bytes, acknowledgment);
  bytes.push_back(5 << 4);
  bytes.push_back(flags);
  put16(bytes, 65535);
  put32(bytes, 0);  // checksum, urgent pointer
  return concat(bytes, payload);
}

Bytes udp(uint16_t source_port, uint16_t destination_port, std::span<const uint8_t> payload) {
  Bytes bytes;
  put16(bytes, source_port);
  put16(bytes, destination_port);
  put16(bytes, uint16_t(8 + payload.size()));
  put16(bytes, 0);
  return concat(bytes, payload);
}

Bytes icmp(uint8_t type, uint8_t code, std::span<const uint8_t> payload) {
  Bytes bytes = {type, code, 0, 0, 0, 1, 0, 1};
  return concat(bytes, payload);
}

Bytes tcp_v4_frame(uint8_t flags, std::span<const uint8_t> payload) {
  return ethernet(0x0800, ipv4("10.0.2.15", "93.184.216.34", kTcp,
                               tcp(40000, 443, 1000, 5000, flags, payload)));
}

Bytes udp_v4_frame(std::span<const uint8_t> payload) {
  return ethernet(0x0800, ipv4("10.0.2.15", "10.0.2.3", kUdp, udp(5353, 53, payload)));
}

Bytes tcp_v6_frame(uint8_t flags, std::span<const uint8_t> payload) {
  return ethernet(
      0x86dd, ipv6("fd00::15", "2001:db8::1", kTcp, tcp(40000, 443, 1000, 5000, flags, payload)));
}

uint16_t reference_checksum(std::span<const uint8_t> bytes) {
  uint32_t sum = 0;
  for (size_t i = 0; i < bytes.size(); i += 2) {
    sum += uint32_t(bytes[i]) << 8;
    if (i + 1 < bytes.size()) sum += bytes[i + 1];
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(~sum);
}

uint16_t reference_transport_checksum(const IpAddress& source, const IpAddress& destination,
                                      uint8_t protocol, std::span<const uint8_t> segment) {
  Bytes pseudo(source.bytes().begin(), source.bytes().end());
  pseudo.insert(pseudo.end(), destination.bytes().begin(), destination.bytes().end());
  if (source.is_v4()) {
    pseudo.push_back(0);
    pseudo.push_back(protocol);
    put16(pseudo, uint16_t(segment.size()));
  } else {
    put32(pseudo, uint32_t(segment.size()));
    put32(pseudo, protocol);
  }
  return reference_checksum(concat(pseudo, segment));
}

}  // namespace msb::net::test
