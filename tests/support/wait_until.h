// Waiting for something observable in tests, instead of sleeping a fixed time and hoping.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace msb::testing {

// Polls `condition` every `interval` until it holds or `timeout` passes; returns the last
// answer. Give `timeout` generously (slow CI, TCG guests): it only costs time on failure.
inline bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds interval = std::chrono::milliseconds(50)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() > deadline) return condition();
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace msb::testing
