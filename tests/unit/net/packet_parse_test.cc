#include <gtest/gtest.h>

#include <random>

#include "net/packet.h"
#include "test_frames.h"

namespace msb::net {
namespace {

using test::Bytes;

FrameInfo parsed(const Bytes& frame) {
  Result<FrameInfo> info = parse_frame(frame);
  EXPECT_TRUE(info.has_value()) << info.error().to_string();
  return info.value_or(FrameInfo{});
}

void expect_protocol_error(const Bytes& frame, std::string_view what) {
  Result<FrameInfo> info = parse_frame(frame);
  ASSERT_FALSE(info.has_value()) << what;
  EXPECT_EQ(info.error().kind, ErrorKind::kProtocol) << what;
}

// Whatever parse_frame() accepts, its offsets stay inside the frame and the IP packet.
void expect_consistent(std::span<const uint8_t> frame, const FrameInfo& info) {
  ASSERT_LE(info.l3_offset, frame.size());
  if (info.kind != FrameInfo::Kind::kIpv4 && info.kind != FrameInfo::Kind::kIpv6) return;
  const size_t end = info.l3_offset + info.l3_length;
  ASSERT_LE(end, frame.size());
  ASSERT_LE(info.l3_offset, info.l4_offset);
  ASSERT_LE(info.l4_offset, info.payload_offset);
  ASSERT_LE(info.payload_offset + info.payload_length, end);
}

TEST(PacketParse, ReadsArpAsArp) {
  const FrameInfo info = parsed(test::ethernet(0x0806, Bytes(28, 0)));
  EXPECT_EQ(info.kind, FrameInfo::Kind::kArp);
  EXPECT_EQ(info.source_mac, test::kGuestMac);
  EXPECT_EQ(info.destination_mac, test::kGatewayMac);
  EXPECT_EQ(info.l3_offset, 14u);
}

TEST(PacketParse, ReadsAnIpv4TcpSyn) {
  const FrameInfo info = parsed(test::tcp_v4_frame(kTcpSyn));
  EXPECT_EQ(info.kind, FrameInfo::Kind::kIpv4);
  EXPECT_EQ(info.source, test::ip("10.0.2.15"));
  EXPECT_EQ(info.destination, test::ip("93.184.216.34"));
  EXPECT_EQ(info.protocol, kTcp);
  EXPECT_EQ(info.source_port, 40000);
  EXPECT_EQ(info.destination_port, 443);
  EXPECT_EQ(info.tcp_flags, kTcpSyn);
  EXPECT_EQ(info.tcp_sequence, 1000u);
  EXPECT_EQ(info.tcp_acknowledgment, 5000u);
  EXPECT_EQ(info.ttl, 64);
  EXPECT_FALSE(info.fragment);
  EXPECT_TRUE(info.first_fragment);
  EXPECT_EQ(info.l3_offset, 14u);
  EXPECT_EQ(info.l4_offset, 34u);
  EXPECT_EQ(info.payload_offset, 54u);
  EXPECT_EQ(info.payload_length, 0u);
  EXPECT_EQ(info.l3_length, 40u);
}

TEST(PacketParse, ReadsAnIpv4UdpDatagram) {
  const FrameInfo info = parsed(test::udp_v4_frame(Bytes{'h', 'e', 'l', 'l', 'o'}));
  EXPECT_EQ(info.protocol, kUdp);
  EXPECT_EQ(info.source_port, 5353);
  EXPECT_EQ(info.destination_port, 53);
  EXPECT_EQ(info.payload_offset, 42u);
  EXPECT_EQ(info.payload_length, 5u);
}

TEST(PacketParse, ReadsAnIcmpEcho) {
  const Bytes frame =
      test::ethernet(0x0800, test::ipv4("10.0.2.15", "1.1.1.1", kIcmp, test::icmp(8, 0, Bytes(4))));
  const FrameInfo info = parsed(frame);
  EXPECT_EQ(info.protocol, kIcmp);
  EXPECT_EQ(info.icmp_type, 8);
  EXPECT_EQ(info.icmp_code, 0);
  EXPECT_EQ(info.payload_offset, 42u);
  EXPECT_EQ(info.payload_length, 4u);
}

TEST(PacketParse, SkipsIpv4OptionsAndEthernetPadding) {
  Bytes frame = test::ethernet(
      0x0800, test::ipv4("10.0.2.15", "1.1.1.1", kTcp, test::tcp(1, 2, 3, 4, kTcpAck, Bytes(3)),
                         {.option_words = 2}));
  frame.resize(frame.size() + 10, 0xee);  // padding past the IP total length
  const FrameInfo info = parsed(frame);
  EXPECT_EQ(info.l4_offset, 14u + 28u);
  EXPECT_EQ(info.payload_length, 3u);
  EXPECT_EQ(info.l3_length, 28u + 20u + 3u);
}

TEST(PacketParse, ReadsIpv6TcpBehindHopByHopAndDestinationOptions) {
  const Bytes segment = test::tcp(40000, 80, 7, 0, kTcpSyn, Bytes(2));
  const Bytes chain = test::ipv6_extension(60, 8, test::ipv6_extension(kTcp, 16, segment));
  const FrameInfo info =
      parsed(test::ethernet(0x86dd, test::ipv6("fd00::15", "2001:db8::1", 0, chain)));
  EXPECT_EQ(info.kind, FrameInfo::Kind::kIpv6);
  EXPECT_EQ(info.protocol, kTcp);
  EXPECT_EQ(info.l4_offset, 14u + 40u + 8u + 16u);
  EXPECT_EQ(info.destination_port, 80);
  EXPECT_EQ(info.payload_length, 2u);
  EXPECT_EQ(info.source, test::ip("fd00::15"));
  EXPECT_EQ(info.ttl, 64);
}

TEST(PacketParse, ReadsIpv6FirstFragment) {
  const Bytes chain = test::ipv6_fragment(kUdp, 0, true, test::udp(1000, 53, Bytes(100)));
  // The fragment carries 50 of the datagram's 100 payload bytes.
  const Bytes packet(chain.begin(), chain.end() - 50);
  const FrameInfo info =
      parsed(test::ethernet(0x86dd, test::ipv6("fd00::15", "fd00::3", 44, packet)));
  EXPECT_TRUE(info.fragment);
  EXPECT_TRUE(info.first_fragment);
  EXPECT_EQ(info.protocol, kUdp);
  EXPECT_EQ(info.destination_port, 53);
  EXPECT_EQ(info.payload_length, 50u);
}

TEST(PacketParse, ReadsIpv6LaterFragmentWithoutPorts) {
  const Bytes chain = test::ipv6_fragment(kTcp, 100, false, Bytes(64, 0xaa));
  const FrameInfo info =
      parsed(test::ethernet(0x86dd, test::ipv6("fd00::15", "fd00::3", 44, chain)));
  EXPECT_TRUE(info.fragment);
  EXPECT_FALSE(info.first_fragment);
  EXPECT_EQ(info.protocol, kTcp);
  EXPECT_EQ(info.destination_port, 0);
  EXPECT_EQ(info.l4_offset, 14u + 48u);
  EXPECT_EQ(info.payload_length, 64u);
}

TEST(PacketParse, ReadsIpv4Fragments) {
  const Bytes later = test::ethernet(
      0x0800, test::ipv4("10.0.2.15", "1.1.1.1", kTcp, Bytes(16, 0xaa), {.fragment = 0x0010}));
  FrameInfo info = parsed(later);
  EXPECT_TRUE(info.fragment);
  EXPECT_FALSE(info.first_fragment);
  EXPECT_EQ(info.destination_port, 0);
  EXPECT_EQ(info.payload_length, 16u);

  const Bytes first =
      test::ethernet(0x0800, test::ipv4("10.0.2.15", "1.1.1.1", kTcp,
                                        test::tcp(1, 443, 0, 0, kTcpSyn), {.fragment = 0x2000}));
  info = parsed(first);
  EXPECT_TRUE(info.fragment);
  EXPECT_TRUE(info.first_fragment);
  EXPECT_EQ(info.destination_port, 443);
}

TEST(PacketParse, TreatsVlanAndUnknownEtherTypesAsOther) {
  Bytes tagged = test::ethernet(0x8100, Bytes{0x00, 0x05, 0x08, 0x00});
  const Bytes inner = test::ipv4("10.0.2.15", "1.1.1.1", kTcp, test::tcp(1, 2, 3, 4, kTcpSyn));
  tagged.insert(tagged.end(), inner.begin(), inner.end());
  EXPECT_EQ(parsed(tagged).kind, FrameInfo::Kind::kOther);
  EXPECT_EQ(parsed(test::ethernet(0x88a8, Bytes(40))).kind, FrameInfo::Kind::kOther);
  EXPECT_EQ(parsed(test::ethernet(0x88cc, Bytes{})).kind, FrameInfo::Kind::kOther);
}

TEST(PacketParse, RefusesBrokenIpv4Headers) {
  expect_protocol_error(Bytes(13, 0), "short Ethernet");
  Bytes frame = test::tcp_v4_frame(kTcpSyn);
  Bytes bad = frame;
  bad[14] = 0x44;
  expect_protocol_error(bad, "IHL 4");
  bad = frame;
  bad[14] = 0x4f;
  expect_protocol_error(bad, "IHL past the total length");
  bad = frame;
  bad[14] = 0x65;
  expect_protocol_error(bad, "version 6 in a v4 EtherType");
  bad = frame;
  bad[17] += 1;
  expect_protocol_error(bad, "total length past the frame");
  bad = frame;
  bad[16] = 0;
  bad[17] = 19;
  expect_protocol_error(bad, "total length below the header");
  expect_protocol_error(Bytes(frame.begin(), frame.begin() + 33), "header cut");
}

TEST(PacketParse, RefusesBrokenIpv6Headers) {
  Bytes frame = test::tcp_v6_frame(kTcpSyn);
  Bytes bad = frame;
  bad[19] += 1;
  expect_protocol_error(bad, "payload length past the frame");
  bad = frame;
  bad[14] = 0x40;
  expect_protocol_error(bad, "version 4 in a v6 EtherType");

  const Bytes segment = test::tcp(1, 2, 3, 4, kTcpSyn);
  auto v6_frame = [](uint8_t next, const Bytes& chain) {
    return test::ethernet(0x86dd, test::ipv6("fd00::1", "fd00::2", next, chain));
  };
  auto options_chain = [&](int count) {
    Bytes chain = segment;
    for (int i = 0; i < count; ++i) chain = test::ipv6_extension(i == 0 ? kTcp : 60, 8, chain);
    return chain;
  };
  EXPECT_TRUE(parse_frame(v6_frame(60, options_chain(8))));
  expect_protocol_error(v6_frame(60, options_chain(9)), "nine extension headers");
  Bytes chain = test::ipv6_extension(0, 8, test::ipv6_extension(kTcp, 8, segment));
  expect_protocol_error(v6_frame(60, chain), "hop-by-hop second");
  chain = test::ipv6_extension(60, 8, test::ipv6_extension(kTcp, 8, segment));
  EXPECT_TRUE(parse_frame(v6_frame(0, chain)));
  chain = test::ipv6_fragment(44, 0, true, test::ipv6_fragment(kTcp, 0, true, segment));
  expect_protocol_error(v6_frame(44, chain), "two fragment headers");
  chain = test::ipv6_extension(kTcp, 64, segment);
  chain.resize(40);
  expect_protocol_error(v6_frame(60, chain), "extension header past the packet");
}

TEST(PacketParse, RefusesBrokenTransportHeaders) {
  Bytes frame = test::tcp_v4_frame(kTcpAck, Bytes(8));
  const size_t tcp = 34;
  Bytes bad = frame;
  bad[tcp + 12] = 4 << 4;
  expect_protocol_error(bad, "TCP data offset 4");
  bad = frame;
  bad[tcp + 12] = 8 << 4;
  expect_protocol_error(bad, "TCP data offset past the packet");

  frame = test::udp_v4_frame(Bytes(8));
  bad = frame;
  bad[tcp + 5] = 17;
  expect_protocol_error(bad, "UDP length past the packet");
  bad = frame;
  bad[tcp + 5] = 7;
  expect_protocol_error(bad, "UDP length below its header");

  // RFC 1858: a first fragment too short for the TCP header hides the ports and flags.
  const Bytes tiny = test::ethernet(
      0x0800, test::ipv4("10.0.2.15", "1.1.1.1", kTcp, Bytes(8), {.fragment = 0x2000}));
  expect_protocol_error(tiny, "tiny first fragment");
  const Bytes short_icmp =
      test::ethernet(0x0800, test::ipv4("10.0.2.15", "1.1.1.1", kIcmp, Bytes{8, 0, 0, 0}));
  expect_protocol_error(short_icmp, "ICMP header cut");
}

std::vector<Bytes> sample_frames() {
  const Bytes segment = test::tcp(40000, 80, 7, 0, kTcpSyn, Bytes(5, 'x'));
  return {
      test::ethernet(0x0806, Bytes(28, 0)),
      test::tcp_v4_frame(kTcpSyn | kTcpAck, Bytes(12, 'p')),
      test::udp_v4_frame(Bytes(20, 'q')),
      test::ethernet(0x0800, test::ipv4("10.0.2.15", "1.1.1.1", kIcmp, test::icmp(8, 0, Bytes(8)),
                                        {.option_words = 1})),
      test::tcp_v6_frame(kTcpFin | kTcpAck, Bytes(3)),
      test::ethernet(
          0x86dd, test::ipv6("fd00::1", "fd00::2", 0,
                             test::ipv6_extension(60, 8, test::ipv6_extension(kTcp, 16, segment)))),
      test::ethernet(0x86dd,
                     test::ipv6("fd00::1", "fd00::2", 44,
                                test::ipv6_fragment(kUdp, 0, true, test::udp(1, 53, Bytes(30))))),
      test::ethernet(0x86dd,
                     test::ipv6("fd00::1", "fd00::2", kIcmpV6, test::icmp(128, 0, Bytes(4)))),
  };
}

TEST(PacketParse, EveryTruncationFailsCleanlyOrStaysConsistent) {
  for (const Bytes& frame : sample_frames()) {
    ASSERT_TRUE(parse_frame(frame));
    for (size_t size = 0; size <= frame.size(); ++size) {
      // A copy of exactly `size` bytes, so ASan sees any read past the cut.
      const Bytes prefix(frame.begin(), frame.begin() + ptrdiff_t(size));
      Result<FrameInfo> info = parse_frame(prefix);
      if (info)
        expect_consistent(prefix, *info);
      else
        EXPECT_EQ(info.error().kind, ErrorKind::kProtocol);
    }
  }
}

TEST(PacketParse, GarbageNeverCrashes) {
  std::mt19937 random(20240601);
  const std::vector<Bytes> samples = sample_frames();
  for (int round = 0; round < 4000; ++round) {
    Bytes frame;
    if (round % 2 == 0) {
      frame.resize(random() % 200);
      for (uint8_t& byte : frame) byte = uint8_t(random());
      // Mostly IP EtherTypes, so the garbage reaches the IP and L4 parsers.
      if (frame.size() >= 14 && round % 4 == 0) frame[12] = 0x08, frame[13] = 0x00;
      if (frame.size() >= 14 && round % 4 == 2) frame[12] = 0x86, frame[13] = 0xdd;
    } else {
      // A valid frame with a few bytes flipped.
      frame = samples[random() % samples.size()];
      for (int flips = 1 + int(random() % 4); flips > 0; --flips)
        frame[random() % frame.size()] ^= uint8_t(1 + random() % 255);
    }
    Result<FrameInfo> info = parse_frame(frame);
    if (info) expect_consistent(frame, *info);
  }
}

}  // namespace
}  // namespace msb::net
