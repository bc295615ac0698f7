// PullEvents: the Server-Sent Events of one streamed pull (POST /v1/images/pull?progress=true),
// between the threads that pull (push) and the thread that writes them to the client (next).
// A slow client must not hold the pull back, so the queue is bounded: byte counts are the
// only events that may be dropped (a later count of the same layer replaces a waiting one),
// stage changes are few (a handful per layer) and are kept, and the last event is never
// dropped. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace msb::server {

class PullEvents {
 public:
  static constexpr size_t kMaxQueuedCounts = 64;

  // A byte count of `layer`. With kMaxQueuedCounts counts waiting it replaces the newest
  // waiting count of the same layer, or is dropped when there is none.
  void push_count(size_t layer, std::string event);
  // A stage change: always queued.
  void push(std::string event);
  // The last event (done or error): always queued; what is pushed after it is ignored.
  void finish(std::string event);

  // The next event, waiting at most `wait`; nullopt on timeout, and once the last event
  // was taken.
  std::optional<std::string> next(std::chrono::milliseconds wait);
  // Whether the last event was taken.
  bool ended() const;
  // Counts dropped or replaced so far.
  size_t dropped() const;

 private:
  struct Event {
    std::string text;
    bool count = false;
    size_t layer = 0;
  };

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Event> events_;
  size_t queued_counts_ = 0;
  size_t dropped_ = 0;
  bool finished_ = false;  // the last event was pushed
  bool ended_ = false;     // ... and taken
};

}  // namespace msb::server
