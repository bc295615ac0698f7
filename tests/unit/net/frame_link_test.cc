#include "net/frame_link.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include "os/io.h"

namespace msb::net {
namespace {

struct Pair {
  os::Fd ours;
  os::Fd theirs;
};

Pair stream_pair() {
  os::SocketPair pair = os::make_socketpair(SOCK_STREAM).value();
  EXPECT_TRUE(os::set_nonblocking(pair.first.get(), true).has_value());
  return {std::move(pair.first), std::move(pair.second)};
}

std::vector<std::vector<uint8_t>> read_all(FrameLink& link, Result<bool>* open = nullptr) {
  std::vector<std::vector<uint8_t>> frames;
  Result<bool> result = link.read_frames(
      [&](std::span<const uint8_t> frame) { frames.emplace_back(frame.begin(), frame.end()); });
  if (open) *open = result;
  return frames;
}

TEST(FrameLink, ReadsLengthPrefixedFramesSplitAnywhere) {
  Pair pair = stream_pair();
  FrameLink link(std::move(pair.ours), FrameLink::Format::kLengthPrefixed);
  const std::string wire = std::string("\0\0\0\3abc\0\0\0\2de", 13);
  ASSERT_TRUE(os::write_all(pair.theirs.get(), wire.substr(0, 5)).has_value());
  std::vector<std::vector<uint8_t>> frames = read_all(link);
  EXPECT_TRUE(frames.empty());
  ASSERT_TRUE(os::write_all(pair.theirs.get(), wire.substr(5)).has_value());
  frames = read_all(link);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(std::string(frames[0].begin(), frames[0].end()), "abc");
  EXPECT_EQ(std::string(frames[1].begin(), frames[1].end()), "de");
}

TEST(FrameLink, RefusesAnOversizedLength) {
  Pair pair = stream_pair();
  FrameLink link(std::move(pair.ours), FrameLink::Format::kLengthPrefixed);
  ASSERT_TRUE(os::write_all(pair.theirs.get(), std::string("\x7f\0\0\0", 4)).has_value());
  Result<bool> open = true;
  read_all(link, &open);
  ASSERT_FALSE(open.has_value());
  EXPECT_EQ(open.error().kind, ErrorKind::kProtocol);
}

TEST(FrameLink, EndOfStreamMeansTheGuestIsGone) {
  Pair pair = stream_pair();
  FrameLink link(std::move(pair.ours), FrameLink::Format::kLengthPrefixed);
  pair.theirs.reset();
  Result<bool> open = true;
  read_all(link, &open);
  ASSERT_TRUE(open.has_value());
  EXPECT_FALSE(*open);
}

TEST(FrameLink, SendsWithTheLengthPrefix) {
  Pair pair = stream_pair();
  FrameLink link(std::move(pair.ours), FrameLink::Format::kLengthPrefixed);
  const uint8_t frame[] = {1, 2, 3};
  link.send(frame);
  char buffer[16];
  Result<size_t> got = os::read_some(pair.theirs.get(), buffer);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(std::string(buffer, *got), std::string("\0\0\0\3\1\2\3", 7));
}

TEST(FrameLink, DropsFramesPastItsQueueInsteadOfGrowing) {
  Pair pair = stream_pair();
  FrameLink link(std::move(pair.ours), FrameLink::Format::kLengthPrefixed);
  // Nobody reads the other end: the socket buffer fills, then the queue, then frames drop.
  std::vector<uint8_t> frame(60000, 0xaa);
  for (int i = 0; i < 200; ++i) link.send(frame);
  EXPECT_GT(link.frames_dropped(), 0u);
  EXPECT_TRUE(link.has_pending_output());
}

}  // namespace
}  // namespace msb::net
