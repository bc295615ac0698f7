#include "protocol/frame.h"

#include <fmt/format.h>

namespace msb::protocol {
namespace {

void put_u32(std::string& out, uint32_t value) {
  out.push_back(static_cast<char>(value >> 24));
  out.push_back(static_cast<char>(value >> 16));
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value));
}

uint32_t get_u32(const char* p) {
  auto b = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

}  // namespace

void append_frame_header(std::string& out, uint32_t id, uint8_t flags, size_t body_size) {
  MSB_CHECK(body_size <= kMaxBodyBytes);
  put_u32(out, static_cast<uint32_t>(body_size + 5));
  put_u32(out, id);
  out.push_back(static_cast<char>(flags));
}

void append_frame(std::string& out, uint32_t id, uint8_t flags, std::string_view body) {
  append_frame_header(out, id, flags, body.size());
  out.append(body);
}

std::string encode_frame(const Frame& frame) {
  std::string out;
  out.reserve(kHeaderBytes + frame.body.size());
  append_frame(out, frame.id, frame.flags, frame.body);
  return out;
}

void FrameReader::feed(std::string_view bytes) {
  if (skipping_ > 0) {
    size_t dropped = std::min<uint64_t>(skipping_, bytes.size());
    skipping_ -= dropped;
    bytes.remove_prefix(dropped);
  }
  // Compact lazily so that a stream of small frames does not copy on every feed.
  if (offset_ > 0 && offset_ >= buffer_.size() / 2) {
    buffer_.erase(0, offset_);
    offset_ = 0;
  }
  buffer_.append(bytes);
}

std::optional<FrameReader::Item> FrameReader::next() {
  if (skipping_ > 0) return std::nullopt;
  size_t available = buffer_.size() - offset_;
  if (available < 4) return std::nullopt;
  const char* p = buffer_.data() + offset_;
  uint32_t length = get_u32(p);
  if (length < 5) {
    // Too short to hold id and flags: drop what it claims and report it.
    size_t drop = std::min<size_t>(available, 4 + length);
    offset_ += drop;
    skipping_ = 4 + length - drop;
    return Item{std::nullopt,
                FrameError{FrameError::Kind::kMalformed, 0,
                           fmt::format("frame length {} is shorter than its header", length)}};
  }
  if (length - 5 > kMaxBodyBytes) {
    if (available < kHeaderBytes) return std::nullopt;  // wait for the id to report it
    uint32_t id = get_u32(p + 4);
    uint64_t total = 4 + uint64_t{length};
    size_t drop = std::min<uint64_t>(available, total);
    offset_ += drop;
    skipping_ = total - drop;
    return Item{std::nullopt,
                FrameError{FrameError::Kind::kOversized, id,
                           fmt::format("frame body of {} bytes exceeds the {} byte limit",
                                       length - 5, kMaxBodyBytes)}};
  }
  if (available < 4 + size_t{length}) return std::nullopt;
  Frame frame;
  frame.id = get_u32(p + 4);
  frame.flags = static_cast<uint8_t>(p[8]);
  frame.body.assign(p + kHeaderBytes, length - 5);
  offset_ += 4 + length;
  return Item{std::move(frame), std::nullopt};
}

}  // namespace msb::protocol
