// PumpThreads: the threads exec pumps run on, kept for reuse. Starting a thread per exec
// cost a measurable share of a namespace sandbox's ~1 ms exec round trip; a pump now takes
// an idle thread, or a new one when none is idle, so pumps never wait for each other.
// Idle threads beyond kMaxIdle exit.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

namespace msb_python {

class PumpThreads {
 public:
  static constexpr size_t kMaxIdle = 16;

  static PumpThreads& instance();
  // Runs `task` at once on an idle thread, or on a new (detached) one.
  void run(std::function<void()> task);

 private:
  // One idle thread, waiting for its next task.
  struct Idle {
    std::condition_variable wake;
    std::function<void()> task;
  };

  void work(std::function<void()> task);

  std::mutex mutex_;
  std::vector<Idle*> idle_;
};

}  // namespace msb_python
