// What stands between the guest's network card and the stack: it sees every frame in both
// directions and may answer the guest itself. Runs on the network thread only.
#pragma once

#include <poll.h>

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace msb::net {

enum class FrameVerdict {
  kPass,       // hand the frame to the stack
  kRefuse,     // the policy refused it (replies, if any, tell the guest)
  kHandled,    // answered here (a DNS query): the stack never sees it
  kRewritten,  // pass rewritten() instead (a port the filter translates)
};

class FrameFilter {
 public:
  using SendToGuest = std::function<void(std::span<const uint8_t>)>;
  virtual ~FrameFilter() = default;

  // Once, before any frame: how to send the guest a frame later (a DNS answer).
  virtual void attach(SendToGuest send_to_guest) = 0;
  // A frame from the guest. Frames put in `replies` go back to the guest at once.
  virtual FrameVerdict admit(std::span<const uint8_t> frame,
                             std::vector<std::vector<uint8_t>>& replies) = 0;
  // A frame from the stack for the guest: kPass, kRefuse (dropped) or kRewritten.
  virtual FrameVerdict deliver(std::span<const uint8_t> frame) = 0;
  // After kRewritten: the frame to use instead, valid until the next admit() or deliver().
  virtual std::span<const uint8_t> rewritten() const = 0;
  // The filter's own sockets in the network thread's poll loop: fill() appends them and
  // lowers `timeout_ms` (-1 = none) to its next deadline; dispatch() gets those entries back.
  virtual void fill(std::vector<pollfd>& fds, int& timeout_ms) = 0;
  virtual void dispatch(std::span<const pollfd> fds) = 0;
};

}  // namespace msb::net
