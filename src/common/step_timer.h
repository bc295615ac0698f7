// StepTimer: names and times the steps of an orchestration (boot, launch) so that the
// figures can be reported (core.ready, --timings) instead of guessed.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace msb {

class StepTimings {
 public:
  void add(const std::string& step, uint64_t ns) { steps_[step] += ns; }
  const std::map<std::string, uint64_t>& steps() const { return steps_; }

 private:
  std::map<std::string, uint64_t> steps_;
};

// Adds the time from construction to destruction to `timings` under `step`.
class StepTimer {
 public:
  StepTimer(StepTimings& timings, std::string step)
      : timings_(timings), step_(std::move(step)), start_(std::chrono::steady_clock::now()) {}
  StepTimer(const StepTimer&) = delete;
  StepTimer& operator=(const StepTimer&) = delete;
  ~StepTimer() {
    auto elapsed = std::chrono::steady_clock::now() - start_;
    timings_.add(step_, std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
  }

 private:
  StepTimings& timings_;
  std::string step_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace msb
