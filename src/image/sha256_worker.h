// Sha256Worker: one SHA-256 stream computed on its own thread, so that hashing a layer's
// uncompressed bytes (~390 MB/s here) runs beside their decompression and unpacking.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "image/digest.h"

namespace msb::image {

class Sha256Worker {
 public:
  Sha256Worker();
  // Waits for the queued work and stops the thread.
  ~Sha256Worker();
  Sha256Worker(const Sha256Worker&) = delete;
  Sha256Worker& operator=(const Sha256Worker&) = delete;

  // Queues `data` to be hashed after what was queued before and returns its ticket.
  // REQUIRES: `data` stays valid and unchanged until wait_for(ticket) or finish() returned.
  uint64_t submit(std::span<const char> data);
  // Returns once the submission `ticket` (and every earlier one) is hashed.
  void wait_for(uint64_t ticket);
  // "sha256:<hex>" of everything submitted. Call once, last.
  std::string finish();
  // Not thread-safe: one producer thread.

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::span<const char>> queue_;  // GUARDED_BY(mutex_)
  uint64_t submitted_ = 0;                   // GUARDED_BY(mutex_)
  uint64_t hashed_ = 0;                      // GUARDED_BY(mutex_)
  bool stopping_ = false;                    // GUARDED_BY(mutex_)
  Sha256 hash_;                              // used by the worker thread only
  std::thread thread_;
};

}  // namespace msb::image
