#include <gtest/gtest.h>

#include "net/packet.h"
#include "test_frames.h"

namespace msb::net {
namespace {

using test::Bytes;

constexpr MacAddress kDnsMac = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x03};

Bytes built(Result<Bytes> frame) {
  EXPECT_TRUE(frame.has_value()) << frame.error().to_string();
  return frame.value_or(Bytes{});
}

std::span<const uint8_t> l4_of(const Bytes& frame, const FrameInfo& info) {
  return std::span(frame).subspan(info.l4_offset, info.l3_offset + info.l3_length - info.l4_offset);
}

TEST(PacketBuild, UdpFrameRoundTripsOverIpv4) {
  const Bytes payload = {'a', 'n', 's', 'w', 'e', 'r'};
  const Bytes frame =
      built(build_udp_frame({kDnsMac, test::ip("10.0.2.3"), 53},
                            {test::kGuestMac, test::ip("10.0.2.15"), 40000}, payload));
  ASSERT_EQ(frame.size(), 14u + 20u + 8u + payload.size());
  Result<FrameInfo> info = parse_frame(frame);
  ASSERT_TRUE(info) << info.error().to_string();
  EXPECT_EQ(info->kind, FrameInfo::Kind::kIpv4);
  EXPECT_EQ(info->source_mac, kDnsMac);
  EXPECT_EQ(info->destination_mac, test::kGuestMac);
  EXPECT_EQ(info->source, test::ip("10.0.2.3"));
  EXPECT_EQ(info->destination, test::ip("10.0.2.15"));
  EXPECT_EQ(info->source_port, 53);
  EXPECT_EQ(info->destination_port, 40000);
  EXPECT_EQ(info->ttl, 64);
  EXPECT_FALSE(info->fragment);
  EXPECT_EQ(frame[20] & 0x40, 0) << "DF clear";
  EXPECT_EQ(Bytes(frame.begin() + ptrdiff_t(info->payload_offset), frame.end()), payload);
  EXPECT_EQ(test::reference_checksum(std::span(frame).subspan(14, 20)), 0);
  EXPECT_EQ(test::reference_transport_checksum(info->source, info->destination, kUdp,
                                               l4_of(frame, *info)),
            0);
}

TEST(PacketBuild, UdpFrameRoundTripsOverIpv6) {
  const Bytes payload(300, 0x5a);
  const Bytes frame = built(build_udp_frame(
      {kDnsMac, test::ip("fd00::3"), 53}, {test::kGuestMac, test::ip("fd00::15"), 1234}, payload));
  Result<FrameInfo> info = parse_frame(frame);
  ASSERT_TRUE(info) << info.error().to_string();
  EXPECT_EQ(info->kind, FrameInfo::Kind::kIpv6);
  EXPECT_EQ(info->source, test::ip("fd00::3"));
  EXPECT_EQ(info->destination_port, 1234);
  EXPECT_EQ(info->payload_length, payload.size());
  EXPECT_EQ(test::reference_transport_checksum(info->source, info->destination, kUdp,
                                               l4_of(frame, *info)),
            0);
}

TEST(PacketBuild, UdpChecksumIsNeverZero) {
  // Search for a payload whose checksum computes to zero: it must go out as 0xffff.
  for (uint32_t value = 0; value < 0x10000; ++value) {
    const Bytes payload = {uint8_t(value >> 8), uint8_t(value)};
    const Bytes frame = built(build_udp_frame(
        {kDnsMac, test::ip("10.0.2.3"), 53}, {test::kGuestMac, test::ip("10.0.2.15"), 9}, payload));
    const uint16_t checksum = uint16_t(frame[40] << 8 | frame[41]);
    ASSERT_NE(checksum, 0);
    if (checksum == 0xffff) return;
  }
  FAIL() << "no payload summed to zero";
}

TEST(PacketBuild, RefusesMixedFamiliesAndOversizePayloads) {
  Result<Bytes> mixed = build_udp_frame({kDnsMac, test::ip("10.0.2.3"), 53},
                                        {test::kGuestMac, test::ip("fd00::15"), 1}, Bytes(4));
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().kind, ErrorKind::kInvalidArgument);

  const UdpEndpoint v4_from{kDnsMac, test::ip("10.0.2.3"), 53};
  const UdpEndpoint v4_to{test::kGuestMac, test::ip("10.0.2.15"), 1};
  EXPECT_TRUE(build_udp_frame(v4_from, v4_to, Bytes(65535 - 28)));
  Result<Bytes> big = build_udp_frame(v4_from, v4_to, Bytes(65535 - 27));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().kind, ErrorKind::kInvalidArgument);

  const UdpEndpoint v6_from{kDnsMac, test::ip("fd00::3"), 53};
  const UdpEndpoint v6_to{test::kGuestMac, test::ip("fd00::15"), 1};
  EXPECT_TRUE(build_udp_frame(v6_from, v6_to, Bytes(65535 - 8)));
  EXPECT_FALSE(build_udp_frame(v6_from, v6_to, Bytes(65535 - 7)));
}

TEST(PacketBuild, IpFrameRefusesASegmentShorterThanItsHeader) {
  const FrameAddresses addresses{kDnsMac, test::kGuestMac, test::ip("10.0.2.3"),
                                 test::ip("10.0.2.15")};
  EXPECT_FALSE(build_ip_frame(addresses, kTcp, Bytes(19)));
  EXPECT_FALSE(build_ip_frame(addresses, kIcmp, Bytes(7)));
  // A protocol without a checksum is carried as given.
  EXPECT_EQ(built(build_ip_frame(addresses, 47, Bytes(3, 7))).size(), 14u + 20u + 3u);
}

}  // namespace
}  // namespace msb::net
