#include "net/dns_tcp_framer.h"

#include <gtest/gtest.h>

#include "test_dns.h"

namespace msb::net {
namespace {

using test::Bytes;

TEST(DnsTcpFramer, FramesWithABigEndianLength) {
  EXPECT_EQ(DnsTcpFramer::frame(Bytes{1, 2, 3}), (Bytes{0, 3, 1, 2, 3}));
  EXPECT_EQ(DnsTcpFramer::frame(Bytes(0x1234, 7)).size(), 0x1234u + 2);
  EXPECT_EQ(DnsTcpFramer::frame(Bytes(0x1234, 7))[0], 0x12);
}

TEST(DnsTcpFramer, ReassemblesAMessageFedByteByByte) {
  const Bytes query = test::dns_query("example.com", 1);
  const Bytes stream = DnsTcpFramer::frame(query);
  DnsTcpFramer framer;
  for (size_t i = 0; i < stream.size(); ++i) {
    EXPECT_FALSE(framer.next().has_value()) << i;
    framer.feed(std::span(stream).subspan(i, 1));
  }
  EXPECT_EQ(framer.next(), query);
  EXPECT_FALSE(framer.next().has_value());
  EXPECT_EQ(framer.buffered(), 0u);
  EXPECT_FALSE(framer.failed());
}

TEST(DnsTcpFramer, SplitsMessagesFedTogether) {
  const Bytes first = test::dns_query("a.example", 1, 1);
  const Bytes second = test::dns_query("b.example", 28, 2);
  const Bytes third = test::dns_query("c.example", 1, 3);
  Bytes stream = test::join(
      {DnsTcpFramer::frame(first), DnsTcpFramer::frame(second), DnsTcpFramer::frame(third)});
  DnsTcpFramer framer;
  // Two and a half messages, then the rest.
  const size_t cut = stream.size() - 10;
  framer.feed(std::span(stream).first(cut));
  EXPECT_EQ(framer.next(), first);
  EXPECT_EQ(framer.next(), second);
  EXPECT_FALSE(framer.next().has_value());
  framer.feed(std::span(stream).subspan(cut));
  EXPECT_EQ(framer.next(), third);
  EXPECT_FALSE(framer.next().has_value());
}

TEST(DnsTcpFramer, FailsOnAZeroLength) {
  DnsTcpFramer framer;
  framer.feed(test::join({DnsTcpFramer::frame(Bytes{9}), Bytes{0, 0}}));
  EXPECT_TRUE(framer.failed());
  EXPECT_FALSE(framer.next().has_value());
  framer.feed(DnsTcpFramer::frame(Bytes{1}));
  EXPECT_FALSE(framer.next().has_value());
  EXPECT_EQ(framer.buffered(), 0u);
}

TEST(DnsTcpFramer, CarriesTheLargestMessage) {
  const Bytes largest(65535, 0x42);
  DnsTcpFramer framer;
  framer.feed(DnsTcpFramer::frame(largest));
  EXPECT_EQ(framer.next(), largest);
  EXPECT_FALSE(framer.failed());
}

TEST(DnsTcpFramer, FailsWhenTooMuchIsLeftWaiting) {
  const Bytes framed = DnsTcpFramer::frame(Bytes(65535, 1));
  DnsTcpFramer framer;
  framer.feed(framed);
  framer.feed(framed);  // exactly the cap, nothing drained
  EXPECT_FALSE(framer.failed());
  framer.feed(Bytes{0});
  EXPECT_TRUE(framer.failed());
  EXPECT_FALSE(framer.next().has_value());
}

TEST(DnsTcpFramer, DrainingKeepsALongStreamUnderTheCap) {
  const Bytes framed = DnsTcpFramer::frame(Bytes(40000, 1));
  const Bytes stream = test::join({framed, framed, framed, framed, framed});
  DnsTcpFramer framer;
  int messages = 0;
  for (size_t offset = 0; offset < stream.size(); offset += 65537) {
    framer.feed(std::span(stream).subspan(offset, std::min<size_t>(65537, stream.size() - offset)));
    while (framer.next()) ++messages;
  }
  EXPECT_FALSE(framer.failed());
  EXPECT_EQ(messages, 5);
}

}  // namespace
}  // namespace msb::net
