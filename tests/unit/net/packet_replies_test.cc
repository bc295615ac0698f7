#include <gtest/gtest.h>

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

// Parses a reply and checks that every checksum in it verifies.
FrameInfo parsed_reply(Result<Bytes> reply, Bytes& frame) {
  EXPECT_TRUE(reply.has_value()) << reply.error().to_string();
  frame = reply.value_or(Bytes{});
  const FrameInfo info = parsed(frame);
  std::span<const uint8_t> l4 =
      std::span(frame).subspan(info.l4_offset, info.l3_offset + info.l3_length - info.l4_offset);
  if (info.kind == FrameInfo::Kind::kIpv4) {
    EXPECT_EQ(test::reference_checksum(std::span(frame).subspan(14, 20)), 0);
  }
  if (info.protocol == kIcmp) {
    EXPECT_EQ(test::reference_checksum(l4), 0);
  } else {
    EXPECT_EQ(test::reference_transport_checksum(info.source, info.destination, info.protocol, l4),
              0);
  }
  return info;
}

Result<Bytes> reset_for(const Bytes& frame) { return build_tcp_reset(frame, parsed(frame)); }
Result<Bytes> unreachable_for(const Bytes& frame) {
  return build_icmp_unreachable(frame, parsed(frame));
}

void expect_refused(Result<Bytes> reply, std::string_view what) {
  ASSERT_FALSE(reply.has_value()) << what;
  EXPECT_EQ(reply.error().kind, ErrorKind::kInvalidArgument) << what;
}

TEST(PacketReplies, ResetAnswersASynAsItsDestination) {
  Bytes reply;
  const FrameInfo info = parsed_reply(reset_for(test::tcp_v4_frame(kTcpSyn)), reply);
  EXPECT_EQ(info.source, test::ip("93.184.216.34"));
  EXPECT_EQ(info.destination, test::ip("10.0.2.15"));
  EXPECT_EQ(info.source_mac, test::kGatewayMac);
  EXPECT_EQ(info.destination_mac, test::kGuestMac);
  EXPECT_EQ(info.source_port, 443);
  EXPECT_EQ(info.destination_port, 40000);
  EXPECT_EQ(info.tcp_flags, kTcpRst | kTcpAck);
  EXPECT_EQ(info.tcp_sequence, 0u);           // the SYN has no ACK
  EXPECT_EQ(info.tcp_acknowledgment, 1001u);  // its seq + the SYN
  EXPECT_EQ(info.payload_length, 0u);
}

TEST(PacketReplies, ResetTakesItsSequenceFromTheAcknowledgment) {
  Bytes reply;
  const FrameInfo info =
      parsed_reply(reset_for(test::tcp_v4_frame(kTcpAck | kTcpPsh | kTcpFin, Bytes(100))), reply);
  EXPECT_EQ(info.tcp_sequence, 5000u);
  EXPECT_EQ(info.tcp_acknowledgment, 1000u + 100u + 1u);
}

TEST(PacketReplies, ResetWorksOverIpv6) {
  Bytes reply;
  const FrameInfo info = parsed_reply(reset_for(test::tcp_v6_frame(kTcpSyn)), reply);
  EXPECT_EQ(info.kind, FrameInfo::Kind::kIpv6);
  EXPECT_EQ(info.source, test::ip("2001:db8::1"));
  EXPECT_EQ(info.destination, test::ip("fd00::15"));
  EXPECT_EQ(info.tcp_acknowledgment, 1001u);
}

TEST(PacketReplies, ResetWrapsTheSequenceSpace) {
  const Bytes frame = test::ethernet(
      0x0800, test::ipv4("10.0.2.15", "1.1.1.1", kTcp, test::tcp(1, 2, 0xffffffff, 0, kTcpSyn)));
  Bytes reply;
  EXPECT_EQ(parsed_reply(reset_for(frame), reply).tcp_acknowledgment, 0u);
}

TEST(PacketReplies, ResetRefusesResetsAndNonTcp) {
  expect_refused(reset_for(test::tcp_v4_frame(kTcpRst | kTcpAck)), "RST");
  expect_refused(reset_for(test::udp_v4_frame(Bytes(4))), "UDP");
  expect_refused(reset_for(test::ethernet(0x0806, Bytes(28))), "ARP");
  const Bytes later = test::ethernet(
      0x0800, test::ipv4("10.0.2.15", "1.1.1.1", kTcp, Bytes(16), {.fragment = 0x0010}));
  expect_refused(reset_for(later), "non-first fragment");
}

TEST(PacketReplies, RepliesRefuseInfoThatDoesNotFitTheFrame) {
  const Bytes frame = test::tcp_v4_frame(kTcpSyn);
  FrameInfo info = parsed(frame);
  const Bytes cut(frame.begin(), frame.end() - 1);
  expect_refused(build_tcp_reset(cut, info), "reset");
  expect_refused(build_icmp_unreachable(cut, info), "unreachable");
  info.destination = test::ip("::1");
  expect_refused(build_icmp_unreachable(frame, info), "mixed families");
}

TEST(PacketReplies, UnreachableQuotesTheIpv4Packet) {
  const Bytes frame = test::udp_v4_frame(Bytes(40, 'd'));
  Bytes reply;
  const FrameInfo info = parsed_reply(unreachable_for(frame), reply);
  EXPECT_EQ(info.protocol, kIcmp);
  EXPECT_EQ(info.icmp_type, 3);
  EXPECT_EQ(info.icmp_code, 13);
  EXPECT_EQ(info.source, test::ip("10.0.2.3"));
  EXPECT_EQ(info.destination, test::ip("10.0.2.15"));
  // The whole original packet fits: header, UDP header and payload, no Ethernet.
  EXPECT_EQ(Bytes(reply.begin() + ptrdiff_t(info.payload_offset), reply.end()),
            Bytes(frame.begin() + 14, frame.end()));
}

TEST(PacketReplies, UnreachableStaysWithin576BytesForIpv4) {
  const Bytes frame = test::udp_v4_frame(Bytes(1400, 'd'));
  Bytes reply;
  const FrameInfo info = parsed_reply(unreachable_for(frame), reply);
  EXPECT_EQ(info.l3_length, 576u);
  EXPECT_EQ(Bytes(reply.begin() + ptrdiff_t(info.payload_offset), reply.end()),
            Bytes(frame.begin() + 14, frame.begin() + 14 + 548));
}

TEST(PacketReplies, UnreachableUsesIcmpV6WithinTheMinimumMtu) {
  const Bytes frame = test::ethernet(
      0x86dd, test::ipv6("fd00::15", "2001:db8::1", kUdp, test::udp(1, 443, Bytes(1400))));
  Bytes reply;
  const FrameInfo info = parsed_reply(unreachable_for(frame), reply);
  EXPECT_EQ(info.protocol, kIcmpV6);
  EXPECT_EQ(info.icmp_type, 1);
  EXPECT_EQ(info.icmp_code, 1);
  EXPECT_EQ(info.source, test::ip("2001:db8::1"));
  EXPECT_EQ(info.l3_length, 1280u);
  EXPECT_EQ(Bytes(reply.begin() + ptrdiff_t(info.payload_offset), reply.begin() + 14 + 40 + 8 + 40),
            Bytes(frame.begin() + 14, frame.begin() + 14 + 40));
}

TEST(PacketReplies, UnreachableNeverAnswersAnIcmpError) {
  auto icmp_v4 = [](uint8_t type) {
    return test::ethernet(0x0800, test::ipv4("10.0.2.15", "1.1.1.1", kIcmp, test::icmp(type, 0)));
  };
  auto icmp_v6 = [](uint8_t type) {
    return test::ethernet(0x86dd, test::ipv6("fd00::15", "fd00::1", kIcmpV6, test::icmp(type, 0)));
  };
  for (uint8_t type : {3, 4, 5, 11, 12}) expect_refused(unreachable_for(icmp_v4(type)), "v4 error");
  for (uint8_t type : {1, 2, 3, 4, 137}) expect_refused(unreachable_for(icmp_v6(type)), "v6 error");
  Bytes reply;
  EXPECT_EQ(parsed_reply(unreachable_for(icmp_v4(8)), reply).icmp_type, 3);  // echo request
  EXPECT_EQ(parsed_reply(unreachable_for(icmp_v6(128)), reply).icmp_type, 1);
}

TEST(PacketReplies, UnreachableRefusesGroupsFragmentsAndNonHosts) {
  auto udp_v4 = [](std::string_view source, std::string_view destination) {
    return test::ethernet(0x0800, test::ipv4(source, destination, kUdp, test::udp(1, 2, Bytes(4))));
  };
  expect_refused(unreachable_for(udp_v4("10.0.2.15", "255.255.255.255")), "broadcast");
  expect_refused(unreachable_for(udp_v4("10.0.2.15", "224.0.0.251")), "multicast");
  expect_refused(unreachable_for(udp_v4("0.0.0.0", "10.0.2.2")), "unspecified source");
  expect_refused(unreachable_for(udp_v4("127.0.0.1", "10.0.2.2")), "loopback source");
  expect_refused(unreachable_for(test::ethernet(
                     0x86dd, test::ipv6("fd00::15", "ff02::fb", kUdp, test::udp(1, 2, Bytes(4))))),
                 "v6 multicast");
  expect_refused(unreachable_for(test::ethernet(
                     0x86dd, test::ipv6("::", "fd00::1", kUdp, test::udp(1, 2, Bytes(4))))),
                 "v6 unspecified source");
  const Bytes later = test::ethernet(
      0x0800, test::ipv4("10.0.2.15", "1.1.1.1", kUdp, Bytes(16), {.fragment = 0x0010}));
  expect_refused(unreachable_for(later), "non-first fragment");
}

}  // namespace
}  // namespace msb::net
