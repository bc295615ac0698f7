#include "net/checksum.h"

#include <gtest/gtest.h>

#include <random>

#include "test_frames.h"

namespace msb::net {
namespace {

using test::Bytes;

TEST(Checksum, MatchesTheRfc1071Example) {
  // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (one's complement).
  const Bytes bytes = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(internet_checksum(bytes), uint16_t(~0xddf2));
}

TEST(Checksum, PadsAnOddLengthWithZero) {
  EXPECT_EQ(internet_checksum(Bytes{0x12}), internet_checksum(Bytes{0x12, 0x00}));
  EXPECT_EQ(internet_checksum(Bytes{}), 0xffff);
}

TEST(Checksum, SumsPiecesSplitAnywhereAsOne) {
  std::mt19937 random(7);
  Bytes bytes(301);
  for (uint8_t& byte : bytes) byte = uint8_t(random());
  const uint16_t whole = internet_checksum(bytes);
  for (size_t split = 0; split <= bytes.size(); ++split) {
    ChecksumAccumulator sum;
    sum.add(std::span(bytes).first(split));
    sum.add(std::span(bytes).subspan(split));
    ASSERT_EQ(sum.finish(), whole) << split;
  }
}

TEST(Checksum, AgreesWithTheReference) {
  std::mt19937 random(11);
  for (size_t size : {0u, 1u, 2u, 3u, 20u, 1499u, 65535u}) {
    Bytes bytes(size);
    for (uint8_t& byte : bytes) byte = uint8_t(random());
    EXPECT_EQ(internet_checksum(bytes), test::reference_checksum(bytes)) << size;
    for (auto [source, destination] :
         {std::pair{"10.0.2.15", "1.1.1.1"}, std::pair{"fd00::15", "2001:db8::1"}}) {
      EXPECT_EQ(
          transport_checksum(test::ip(source), test::ip(destination), 17, bytes),
          test::reference_transport_checksum(test::ip(source), test::ip(destination), 17, bytes));
    }
  }
}

TEST(Checksum, SumsToZeroOverDataHoldingItsChecksum) {
  Bytes header = test::ipv4("10.0.2.15", "10.0.2.2", 6, {});
  EXPECT_EQ(internet_checksum(header), 0);
  header[8] ^= 1;
  EXPECT_NE(internet_checksum(header), 0);
}

TEST(Checksum, IncludesThePseudoHeader) {
  const Bytes segment = test::udp(1, 2, Bytes{1, 2, 3});
  EXPECT_NE(transport_checksum(test::ip("10.0.0.1"), test::ip("10.0.0.2"), 17, segment),
            transport_checksum(test::ip("10.0.0.1"), test::ip("10.0.0.3"), 17, segment));
  EXPECT_NE(transport_checksum(test::ip("10.0.0.1"), test::ip("10.0.0.2"), 17, segment),
            transport_checksum(test::ip("10.0.0.1"), test::ip("10.0.0.2"), 6, segment));
}

}  // namespace
}  // namespace msb::net
