// The host end of a sandbox's network card: Ethernet frames in and out over one fd, either
// a stream of length-prefixed frames (QEMU's -netdev stream) or a TAP device (one frame per
// read). Not thread-safe: the network thread owns it.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/error.h"
#include "os/fd.h"

namespace msb::net {

// The largest frame either side may send: a 64 KiB IP packet plus the Ethernet header.
inline constexpr size_t kMaxFrameBytes = 65536 + 14;

class FrameLink {
 public:
  enum class Format { kLengthPrefixed, kTap };
  FrameLink(os::Fd fd, Format format);

  int fd() const { return fd_.get(); }
  // Whether frames wait to be written (poll for POLLOUT then).
  bool has_pending_output() const { return !output_.empty(); }

  // Reads what is there and calls `deliver` once per complete frame. Returns false at end
  // of stream (the guest's side is gone). kProtocol for a length over kMaxFrameBytes: the
  // other side is not speaking this format, and the link is unusable.
  // `reads`: how many read(2) calls at most (each one TAP frame, or up to 64 KiB of a
  // stream); a rate-limited caller reads one at a time so its bursts stay small.
  Result<bool> read_frames(const std::function<void(std::span<const uint8_t>)>& deliver,
                           int reads = kDefaultReads);
  static constexpr int kDefaultReads = 16;

  // Queues one frame to the guest and writes what the fd takes now. A frame that finds the
  // queue over its limit is dropped, as a full NIC queue drops: TCP retransmits it later.
  void send(std::span<const uint8_t> frame);
  // Writes queued frames (on POLLOUT).
  Result<void> flush();

  uint64_t frames_dropped() const { return dropped_; }

 private:
  Result<bool> read_stream(const std::function<void(std::span<const uint8_t>)>& deliver, int reads);
  Result<bool> read_tap(const std::function<void(std::span<const uint8_t>)>& deliver, int reads);

  os::Fd fd_;
  Format format_;
  std::vector<uint8_t> input_;      // stream: bytes not yet forming a whole frame
  std::deque<std::string> output_;  // encoded frames (with length prefix when a stream)
  size_t output_offset_ = 0;        // bytes of output_.front() already written
  size_t output_bytes_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace msb::net
