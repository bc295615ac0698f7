#include "server/pull_events.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace msb::server {
namespace {

std::vector<std::string> drain(PullEvents& events) {
  std::vector<std::string> out;
  while (std::optional<std::string> event = events.next(std::chrono::milliseconds(0)))
    out.push_back(*event);
  return out;
}

TEST(PullEventsTest, KeepsOrderAndEndsAfterTheLastEvent) {
  PullEvents events;
  events.push("resolving");
  events.push_count(0, "0:10");
  events.finish("done");
  events.push("late");  // after the last: ignored
  EXPECT_FALSE(events.ended());
  EXPECT_EQ(drain(events), (std::vector<std::string>{"resolving", "0:10", "done"}));
  EXPECT_TRUE(events.ended());
  EXPECT_EQ(events.next(std::chrono::milliseconds(0)), std::nullopt);
}

TEST(PullEventsTest, ASlowReaderLosesCountsButNeverStagesOrTheLastEvent) {
  PullEvents events;
  for (size_t i = 0; i < PullEvents::kMaxQueuedCounts; ++i)
    events.push_count(0, "0:" + std::to_string(i));
  events.push_count(1, "1:0");  // full, and no count of layer 1 waits: dropped
  events.push("layer-done 0");
  events.push_count(0, "0:last");  // replaces the newest waiting count of layer 0
  events.finish("done");
  std::vector<std::string> got = drain(events);
  ASSERT_EQ(got.size(), PullEvents::kMaxQueuedCounts + 2);
  EXPECT_EQ(got[0], "0:0");
  EXPECT_EQ(got[PullEvents::kMaxQueuedCounts - 1], "0:last");
  EXPECT_EQ(got[PullEvents::kMaxQueuedCounts], "layer-done 0");
  EXPECT_EQ(got.back(), "done");
  EXPECT_EQ(events.dropped(), 2u);
  EXPECT_TRUE(events.ended());
}

TEST(PullEventsTest, CountsQueueAgainOnceTheReaderCatchesUp) {
  PullEvents events;
  for (size_t i = 0; i <= PullEvents::kMaxQueuedCounts; ++i) events.push_count(2, "c");
  drain(events);
  events.push_count(2, "fresh");
  EXPECT_EQ(drain(events), std::vector<std::string>{"fresh"});
}

TEST(PullEventsTest, NextWaitsForAnEventFromAnotherThread) {
  PullEvents events;
  std::thread pusher([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    events.finish("done");
  });
  EXPECT_EQ(events.next(std::chrono::seconds(5)), std::optional<std::string>("done"));
  pusher.join();
  EXPECT_EQ(events.next(std::chrono::milliseconds(1)), std::nullopt);  // timeout: nothing
}

}  // namespace
}  // namespace msb::server
