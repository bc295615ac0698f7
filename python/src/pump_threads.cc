#include "pump_threads.h"

#include <thread>
#include <utility>

namespace msb_python {

PumpThreads& PumpThreads::instance() {
  // Never destroyed: idle threads may still wait on it while the process exits.
  static PumpThreads* threads = new PumpThreads;
  return *threads;
}

void PumpThreads::run(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      Idle* idle = idle_.back();
      idle_.pop_back();
      idle->task = std::move(task);
      idle->wake.notify_one();
      return;
    }
  }
  std::thread([this, task = std::move(task)]() mutable { work(std::move(task)); }).detach();
}

void PumpThreads::work(std::function<void()> task) {
  Idle self;
  for (;;) {
    task();
    task = nullptr;  // its captures (the pump) go before the thread waits again
    std::unique_lock lock(mutex_);
    if (idle_.size() >= kMaxIdle) return;
    idle_.push_back(&self);
    self.wake.wait(lock, [&] { return static_cast<bool>(self.task); });
    task = std::move(self.task);
    self.task = nullptr;
  }
}

}  // namespace msb_python
