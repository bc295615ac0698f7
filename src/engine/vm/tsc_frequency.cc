#include "engine/vm/tsc_frequency.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <thread>

#include "os/cpu_counter.h"
#include "os/file.h"

namespace msb::engine::vm {
namespace {

constexpr uint64_t kMinPlausibleKhz = 100'000;     // 100 MHz
constexpr uint64_t kMaxPlausibleKhz = 10'000'000;  // 10 GHz
constexpr uint32_t kMeasureWindowMs = 20;

std::string first_line(std::string text) {
  size_t end = text.find_first_of("\r\n");
  if (end != std::string::npos) text.resize(end);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

bool host_clocksource_is_tsc() {
  Result<std::string> current =
      os::read_file("/sys/devices/system/clocksource/clocksource0/current_clocksource");
  return current && first_line(*current) == "tsc";
}

}  // namespace

std::optional<uint64_t> measure_tsc_khz(uint32_t window_ms) {
  uint64_t start_ns = os::monotonic_raw_ns();
  uint64_t start_ticks = os::read_cpu_timestamp_counter();
  std::this_thread::sleep_for(std::chrono::milliseconds(window_ms));
  uint64_t end_ticks = os::read_cpu_timestamp_counter();
  uint64_t end_ns = os::monotonic_raw_ns();
  if (end_ns <= start_ns || end_ticks <= start_ticks) return std::nullopt;
  // ticks per ns = GHz; times 10^6 = kHz.
  uint64_t khz = static_cast<uint64_t>(static_cast<double>(end_ticks - start_ticks) * 1e6 /
                                           static_cast<double>(end_ns - start_ns) +
                                       0.5);
  if (khz < kMinPlausibleKhz || khz > kMaxPlausibleKhz) return std::nullopt;
  return khz;
}

std::string format_tsc_cache(const std::string& boot_id, uint64_t khz) {
  return fmt::format("{} {}\n", boot_id, khz);
}

std::optional<uint64_t> parse_tsc_cache(const std::string& text, const std::string& boot_id) {
  std::string line = first_line(text);
  size_t space = line.find(' ');
  if (boot_id.empty() || space == std::string::npos || line.substr(0, space) != boot_id) {
    return std::nullopt;
  }
  uint64_t khz = 0;
  const char* begin = line.data() + space + 1;
  const char* end = line.data() + line.size();
  auto [parsed_end, ec] = std::from_chars(begin, end, khz);
  if (ec != std::errc() || parsed_end != end || begin == end) return std::nullopt;
  if (khz < kMinPlausibleKhz || khz > kMaxPlausibleKhz) return std::nullopt;
  return khz;
}

std::optional<uint64_t> host_tsc_khz(const std::string& cache_dir) {
  if (!host_clocksource_is_tsc()) return std::nullopt;
  Result<std::string> boot_id = os::read_file("/proc/sys/kernel/random/boot_id");
  if (!boot_id) return measure_tsc_khz(kMeasureWindowMs);
  std::string id = first_line(*boot_id);
  std::string cache = cache_dir + "/tsc-khz";
  if (Result<std::string> cached = os::read_file(cache)) {
    if (std::optional<uint64_t> khz = parse_tsc_cache(*cached, id)) return khz;
  }
  std::optional<uint64_t> khz = measure_tsc_khz(kMeasureWindowMs);
  if (khz && os::make_dirs(cache_dir)) {
    (void)os::write_file_atomic(cache, format_tsc_cache(id, *khz), 0644,
                                os::Durability::kProcessCrash);
  }
  return khz;
}

}  // namespace msb::engine::vm
