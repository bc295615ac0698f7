#include "protocol/frame.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace msb::protocol {
namespace {

// Every item the reader yields for `bytes`, fed in pieces of `step` bytes.
std::vector<FrameReader::Item> read_all(FrameReader& reader, std::string_view bytes, size_t step) {
  std::vector<FrameReader::Item> items;
  for (size_t at = 0; at < bytes.size(); at += step) {
    reader.feed(bytes.substr(at, step));
    while (std::optional<FrameReader::Item> item = reader.next()) items.push_back(*item);
  }
  return items;
}

std::string header(uint32_t length, uint32_t id, uint8_t flags) {
  std::string out;
  for (uint32_t value : {length, id}) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
  }
  out.push_back(static_cast<char>(flags));
  return out;
}

void expect_frame(const FrameReader::Item& item, uint32_t id, uint8_t flags,
                  std::string_view body) {
  ASSERT_TRUE(item.frame.has_value()) << (item.error ? item.error->message : "no frame");
  EXPECT_FALSE(item.error.has_value());
  EXPECT_EQ(item.frame->id, id);
  EXPECT_EQ(item.frame->flags, flags);
  EXPECT_EQ(item.frame->body.size(), body.size());
  EXPECT_TRUE(item.frame->body == body);
}

TEST(FrameCodec, EncodesBigEndianHeader) {
  std::string bytes = encode_frame(Frame{0x01020304, kFlagTerminal, "abc"});
  std::string expected = {0, 0, 0, 8, 1, 2, 3, 4, kFlagTerminal, 'a', 'b', 'c'};
  EXPECT_EQ(bytes, expected);
}

TEST(FrameCodec, AppendFrameAppendsToExistingBytes) {
  std::string out = "prefix";
  append_frame(out, 7, kFlagSessionStart, "xy");
  EXPECT_EQ(out, "prefix" + header(7, 7, kFlagSessionStart) + "xy");
}

TEST(FrameCodecDeathTest, AbortsOnBodyOverLimit) {
  std::string body(kMaxBodyBytes + 1, 'x');
  std::string out;
  EXPECT_DEATH(append_frame(out, 1, 0, body), "MSB_CHECK failed");
}

TEST(FrameReader, RoundTripsEmptyBody) {
  FrameReader reader;
  std::vector<FrameReader::Item> items = read_all(reader, encode_frame({9, kFlagShutdown, ""}), 64);
  ASSERT_EQ(items.size(), 1u);
  expect_frame(items[0], 9, kFlagShutdown, "");
  EXPECT_FALSE(reader.mid_frame());
}

TEST(FrameReader, RoundTripsBodyOfExactlyMaxSize) {
  std::string body(kMaxBodyBytes, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 7);
  FrameReader reader;
  std::vector<FrameReader::Item> items =
      read_all(reader, encode_frame({0xFFFFFFFF, 0xFF, body}), 1 << 20);
  ASSERT_EQ(items.size(), 1u);
  expect_frame(items[0], 0xFFFFFFFF, 0xFF, body);
  EXPECT_FALSE(reader.mid_frame());
}

TEST(FrameReader, DecodesByteAtATime) {
  std::string stream = encode_frame({1, 0, "first"}) + encode_frame({2, kFlagTerminal, ""}) +
                       encode_frame({3, kFlagSessionStart, std::string(300, 'z')});
  FrameReader reader;
  std::vector<FrameReader::Item> items = read_all(reader, stream, 1);
  ASSERT_EQ(items.size(), 3u);
  expect_frame(items[0], 1, 0, "first");
  expect_frame(items[1], 2, kFlagTerminal, "");
  expect_frame(items[2], 3, kFlagSessionStart, std::string(300, 'z'));
  EXPECT_FALSE(reader.mid_frame());
}

TEST(FrameReader, DecodesSeveralFramesFromOneFeed) {
  std::string stream;
  for (uint32_t id = 0; id < 50; ++id) append_frame(stream, id, 0, std::string(id, 'a' + id % 26));
  FrameReader reader;
  reader.feed(stream);
  for (uint32_t id = 0; id < 50; ++id) {
    std::optional<FrameReader::Item> item = reader.next();
    ASSERT_TRUE(item.has_value()) << "frame " << id;
    expect_frame(*item, id, 0, std::string(id, 'a' + id % 26));
  }
  EXPECT_FALSE(reader.next().has_value());
  EXPECT_FALSE(reader.mid_frame());
}

TEST(FrameReader, WaitsForTheRestOfAFrame) {
  std::string bytes = encode_frame({5, 0, "hello"});
  FrameReader reader;
  reader.feed(std::string_view(bytes).substr(0, bytes.size() - 1));
  EXPECT_FALSE(reader.next().has_value());
  EXPECT_TRUE(reader.mid_frame());
  reader.feed(std::string_view(bytes).substr(bytes.size() - 1));
  std::optional<FrameReader::Item> item = reader.next();
  ASSERT_TRUE(item.has_value());
  expect_frame(*item, 5, 0, "hello");
}

TEST(FrameReader, ResyncsAfterOversizedFrame) {
  uint32_t body_size = kMaxBodyBytes + 1;
  std::string stream = header(body_size + 5, 77, kFlagSessionStart) + std::string(body_size, 'q') +
                       encode_frame({78, 0, "after"});
  for (size_t step : {size_t{1} << 16, size_t{3}, stream.size()}) {
    FrameReader reader;
    std::vector<FrameReader::Item> items = read_all(reader, stream, step);
    ASSERT_EQ(items.size(), 2u) << "step " << step;
    ASSERT_TRUE(items[0].error.has_value());
    EXPECT_FALSE(items[0].frame.has_value());
    EXPECT_EQ(items[0].error->kind, FrameError::Kind::kOversized);
    EXPECT_EQ(items[0].error->id, 77u);
    expect_frame(items[1], 78, 0, "after");
    EXPECT_FALSE(reader.mid_frame());
  }
}

TEST(FrameReader, ReportsOversizedFrameOnceItsIdArrives) {
  FrameReader reader;
  std::string head = header(0xFFFFFFFF, 4242, 0);
  reader.feed(head.substr(0, 8));  // length known, id incomplete
  EXPECT_FALSE(reader.next().has_value());
  reader.feed(head.substr(8));
  std::optional<FrameReader::Item> item = reader.next();
  ASSERT_TRUE(item.has_value() && item->error.has_value());
  EXPECT_EQ(item->error->kind, FrameError::Kind::kOversized);
  EXPECT_EQ(item->error->id, 4242u);
  EXPECT_NE(item->error->message.find("exceeds"), std::string::npos);
  // The body is still owed: the reader is in the middle of skipping it.
  EXPECT_TRUE(reader.mid_frame());
  EXPECT_FALSE(reader.next().has_value());
}

TEST(FrameReader, ReportsShortLengthAsMalformedAndResyncs) {
  for (uint32_t length : {0u, 1u, 4u}) {
    // The bogus frame spans 4 + length bytes; filler stands in for what it claims.
    std::string stream = header(length, 0, 0).substr(0, 4) + std::string(length, '\x01') +
                         encode_frame({11, kFlagTerminal, "ok"});
    for (size_t step : {size_t{1}, stream.size()}) {
      FrameReader reader;
      std::vector<FrameReader::Item> items = read_all(reader, stream, step);
      ASSERT_EQ(items.size(), 2u) << "length " << length << " step " << step;
      ASSERT_TRUE(items[0].error.has_value());
      EXPECT_EQ(items[0].error->kind, FrameError::Kind::kMalformed);
      EXPECT_EQ(items[0].error->id, 0u);
      expect_frame(items[1], 11, kFlagTerminal, "ok");
      EXPECT_FALSE(reader.mid_frame());
    }
  }
}

TEST(FrameReader, DetectsTruncatedStream) {
  std::string bytes = encode_frame({3, 0, "cut short"});
  for (size_t keep : {size_t{1}, size_t{4}, size_t{8}, size_t{9}, bytes.size() - 1}) {
    FrameReader reader;
    EXPECT_TRUE(read_all(reader, std::string_view(bytes).substr(0, keep), 1).empty());
    EXPECT_TRUE(reader.mid_frame()) << "kept " << keep;
  }
  FrameReader reader;
  EXPECT_FALSE(reader.mid_frame());
  EXPECT_EQ(read_all(reader, bytes, bytes.size()).size(), 1u);
  EXPECT_FALSE(reader.mid_frame());
}

TEST(FrameReader, DetectsStreamEndingInsideOversizedBody) {
  FrameReader reader;
  std::string stream = header(kMaxBodyBytes + 100, 1, 0) + std::string(1000, 'x');
  std::vector<FrameReader::Item> items = read_all(reader, stream, 256);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_TRUE(items[0].error.has_value());
  EXPECT_TRUE(reader.mid_frame());
}

}  // namespace
}  // namespace msb::protocol
