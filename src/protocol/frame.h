// Frame codec: [u32 length][u32 id][u8 flags][body], big-endian. `length` counts the
// bytes after itself (5 + body). Bodies are at most kMaxBodyBytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/error.h"

namespace msb::protocol {

inline constexpr uint32_t kMaxBodyBytes = 4u << 20;
inline constexpr size_t kHeaderBytes = 9;

// Frame flags.
inline constexpr uint8_t kFlagTerminal = 1;      // last frame of this id's session
inline constexpr uint8_t kFlagSessionStart = 2;  // first frame of a new session
inline constexpr uint8_t kFlagShutdown = 4;      // asks the agent to shut the guest down

struct Frame {
  uint32_t id = 0;
  uint8_t flags = 0;
  std::string body;
};

// Appends the encoded frame to `out`. REQUIRES: body.size() <= kMaxBodyBytes.
void append_frame(std::string& out, uint32_t id, uint8_t flags, std::string_view body);
// Appends only the header of a frame whose `body_size` bytes the caller appends next.
// REQUIRES: body_size <= kMaxBodyBytes.
void append_frame_header(std::string& out, uint32_t id, uint8_t flags, size_t body_size);
std::string encode_frame(const Frame& frame);

// Why a frame could not be read. The reader stays usable after each of these: it skips
// the bad frame using its length and goes on with the next one.
struct FrameError {
  enum class Kind { kOversized, kMalformed } kind;
  uint32_t id;  // the frame's id when its header was complete, else 0
  std::string message;
};

// Incremental decoder: feed() bytes as they arrive, then call next() until it returns
// nothing. Not thread-safe.
class FrameReader {
 public:
  void feed(std::string_view bytes);
  // A complete frame, a FrameError for a frame that was skipped, or nullopt when more
  // bytes are needed.
  struct Item {
    std::optional<Frame> frame;
    std::optional<FrameError> error;
  };
  std::optional<Item> next();
  // True while part of a frame has been seen: at end of stream, the frame was truncated.
  bool mid_frame() const { return buffer_.size() > offset_ || skipping_ > 0; }

 private:
  std::string buffer_;
  size_t offset_ = 0;
  uint64_t skipping_ = 0;  // bytes of an oversized frame still to drop
};

}  // namespace msb::protocol
