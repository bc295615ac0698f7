// Medians for the benchmarks: each target reports the median of N runs (docs/targets.md).
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace msb::bench {

// The median of `samples` (the upper middle one for an even count). REQUIRES: not empty.
inline double median(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

// Runs `body` `runs` times and returns the median wall time in milliseconds.
inline double median_ms(int runs, const std::function<void()>& body) {
  std::vector<double> samples;
  for (int i = 0; i < runs; ++i) {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    body();
    samples.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  return median(std::move(samples));
}

}  // namespace msb::bench
