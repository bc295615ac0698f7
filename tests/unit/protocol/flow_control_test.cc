#include "protocol/flow_control.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "protocol/frame.h"

namespace msb::protocol {
namespace {

size_t wire_size(const Message& message) {
  Result<std::string> frame = encode_message(0xFFFFFFFFu, 0xFF, message);
  EXPECT_TRUE(frame.has_value());
  return frame ? frame->size() : 0;
}

TEST(FlowCost, CountsDataFramesAndLeavesControlFramesFree) {
  EXPECT_EQ(flow_cost(ExecStdout{{"12345"}}), kFrameCost + 5);
  EXPECT_EQ(flow_cost(ExecStderr{{""}}), kFrameCost);
  EXPECT_EQ(flow_cost(ExecStdin{{"ab"}, true}), kFrameCost + 2);
  EXPECT_EQ(flow_cost(FsData{{std::string(1000, 'd')}}), kFrameCost + 1000);
  FsListEntry entry;
  entry.name = "name";
  entry.type = "symlink";
  entry.link_target = "/target";
  EXPECT_EQ(flow_cost(entry), kFrameCost + 4 + 7 + 7);
  EXPECT_EQ(flow_cost(ExecExited{0, 9}), 0u);
  EXPECT_EQ(flow_cost(ExecStdinAck{100}), 0u);
  EXPECT_EQ(flow_cost(CoreAck{100}), 0u);
  EXPECT_EQ(flow_cost(CoreCancel{}), 0u);
  EXPECT_EQ(flow_cost(FsDone{7}), 0u);
}

// A window bounds bytes on the wire, not just data: each counted frame costs at least
// its encoded size, whatever its fixed fields hold.
TEST(FlowCost, IsAtLeastTheFrameSizeOnTheWire) {
  constexpr uint64_t kMax64 = std::numeric_limits<uint64_t>::max();
  FsListEntry entry{"n", "symlink", 07777, kMax64, std::numeric_limits<int64_t>::min(), ""};
  EXPECT_GE(flow_cost(entry), wire_size(entry));
  entry.link_target = std::string(4096, 't');
  entry.name = std::string(255, 'n');
  EXPECT_GE(flow_cost(entry), wire_size(entry));
  for (size_t size : {0, 1, 23, 24, 255, 256, 65535, 65536}) {
    std::string data(size, 'x');
    EXPECT_GE(flow_cost(ExecStdout{{data}}), wire_size(ExecStdout{{data}})) << size;
    EXPECT_GE(flow_cost(ExecStderr{{data}}), wire_size(ExecStderr{{data}})) << size;
    EXPECT_GE(flow_cost(ExecStdin{{data}, true}), wire_size(ExecStdin{{data}, true})) << size;
    EXPECT_GE(flow_cost(FsData{{data}}), wire_size(FsData{{data}})) << size;
  }
}

TEST(CreditWindow, RoomShrinksWithWhatIsSentAndGrowsWithAcks) {
  CreditWindow window(1000);
  EXPECT_EQ(window.room(), 1000u);
  EXPECT_TRUE(window.fits(1000));
  window.spend(600);
  EXPECT_EQ(window.room(), 400u);
  EXPECT_FALSE(window.fits(401));
  window.spend(600);  // a sender may overdraw by one frame; then there is no room at all
  EXPECT_EQ(window.room(), 0u);
  EXPECT_EQ(window.in_flight(), 1200u);
  window.acknowledge(700);
  EXPECT_EQ(window.room(), 500u);
}

TEST(CreditWindow, AcknowledgingMoreThanWasSentCannotWidenIt) {
  CreditWindow window(1000);
  window.spend(10);
  window.acknowledge(1'000'000);
  EXPECT_EQ(window.in_flight(), 0u);
  EXPECT_EQ(window.room(), 1000u);
}

TEST(AckBatch, ReleasesAQuarterWindowAtATimeOrEverythingOnRequest) {
  AckBatch batch(1000);
  batch.consume(100);
  batch.consume(100);
  EXPECT_EQ(batch.take(), 0u);
  batch.consume(50);
  EXPECT_EQ(batch.take(), 250u);
  EXPECT_EQ(batch.take(), 0u);
  batch.consume(1);
  EXPECT_EQ(batch.take_all(), 1u);
  EXPECT_EQ(batch.take_all(), 0u);
}

}  // namespace
}  // namespace msb::protocol
