// Flow control on the agent channel: per-session credit windows, so that one session whose
// reader or writer stops (a process that does not read its stdin, a host that does not
// read an output stream) holds back that session only, never the channel or the
// supervisor's relay. docs/protocol.md, "Flow control", is the specification; this is the
// arithmetic both ends share. Not thread-safe (plain values).
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>

#include "protocol/messages.h"

namespace msb::protocol {

// What one counted frame costs on top of its variable bytes: more than its header and
// fixed fields take on the wire, so that a window also bounds the memory of many small
// frames.
inline constexpr uint64_t kFrameCost = 128;
// The agent's windows, advertised in core.ready: the exec.stdin cost one session may have
// sent and not seen acknowledged (exec.stdin_ack), and the output cost (exec.stdout,
// exec.stderr, fs.data of fs.read, fs.list_entry) the agent may have sent one session and
// not seen acknowledged (core.ack).
inline constexpr uint64_t kStdinWindowBytes = 1u << 20;
inline constexpr uint64_t kOutputWindowBytes = 1u << 20;

// The cost of `message` against a window: kFrameCost plus the data of exec.stdin,
// exec.stdout, exec.stderr and fs.data, or plus the name, type and link target of an
// fs.list_entry. Every other message is free (0): control frames are never held back.
uint64_t flow_cost(const Message& message);

// The sender's side of one window: the cost it sent that the peer has not acknowledged.
class CreditWindow {
 public:
  explicit CreditWindow(uint64_t size) : size_(size) {}

  uint64_t size() const { return size_; }
  uint64_t in_flight() const { return in_flight_; }
  // The cost that may still be sent now (0 when the window is full).
  uint64_t room() const { return in_flight_ >= size_ ? 0 : size_ - in_flight_; }
  bool fits(uint64_t cost) const { return cost <= room(); }
  void spend(uint64_t cost) { in_flight_ += cost; }
  // An acknowledgement of more than is in flight counts as all of it: a peer cannot widen
  // the window by acknowledging what it never got.
  void acknowledge(uint64_t bytes) { in_flight_ -= std::min(bytes, in_flight_); }

 private:
  uint64_t size_;
  uint64_t in_flight_ = 0;
};

// The receiver's side: cost it has consumed and not acknowledged yet, released in batches
// of a quarter window. What is held back is always less than the window, so a sender
// whose frames were all consumed never waits for it.
class AckBatch {
 public:
  explicit AckBatch(uint64_t window) : batch_(std::max<uint64_t>(1, window / 4)) {}

  void consume(uint64_t cost) { pending_ += cost; }
  // The bytes to acknowledge now, once a batch has gathered (0 before); they are then
  // forgotten.
  uint64_t take() { return pending_ >= batch_ ? take_all() : 0; }
  // Everything consumed so far, whatever the amount.
  uint64_t take_all() { return std::exchange(pending_, 0); }

 private:
  uint64_t batch_;
  uint64_t pending_ = 0;
};

}  // namespace msb::protocol
