#include "cli/pull_progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <numeric>

namespace msb::cli {
namespace {

constexpr size_t kBarWidth = 30;

std::string short_digest(const std::string& digest) {
  return digest.substr(0, std::min<size_t>(digest.size(), 19));  // "sha256:" + 12 hex
}

}  // namespace

ProgressStyle progress_style(bool quiet) {
  if (quiet) return ProgressStyle::kQuiet;
  return ::isatty(STDERR_FILENO) ? ProgressStyle::kBar : ProgressStyle::kLines;
}

std::string human_bytes(uint64_t bytes) {
  constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string PullProgress::bar_line() const {
  uint64_t done = std::accumulate(layer_bytes_.begin(), layer_bytes_.end(), uint64_t{0});
  size_t filled = total_ == 0 ? kBarWidth : static_cast<size_t>(kBarWidth * done / total_);
  filled = std::min(filled, kBarWidth);
  return fmt::format("\r{} [{}{}] {}/{} layers {}/{}", reference_, std::string(filled, '#'),
                     std::string(kBarWidth - filled, '.'), layers_done_, layer_bytes_.size(),
                     human_bytes(done), human_bytes(total_));
}

std::string PullProgress::render(const runtime::PullEvent& event) {
  using Kind = runtime::PullEvent::Kind;
  if (style_ == ProgressStyle::kQuiet) return "";
  switch (event.kind) {
    case Kind::kResolving:
      reference_ = event.reference;
      return style_ == ProgressStyle::kLines ? fmt::format("pulling {}", event.reference) : "";
    case Kind::kResolved:
      total_ = event.total_bytes;
      layer_bytes_.assign(event.layer_count, 0);
      if (style_ == ProgressStyle::kBar) return bar_line();
      return fmt::format("resolved {}: {} layers, {}", short_digest(event.manifest_digest),
                         event.layer_count, human_bytes(event.total_bytes));
    case Kind::kLayerBytes:
      if (event.layer < layer_bytes_.size()) layer_bytes_[event.layer] = event.bytes;
      return style_ == ProgressStyle::kBar ? bar_line() : "";
    case Kind::kLayerCached:
      return style_ == ProgressStyle::kLines
                 ? fmt::format("layer {}/{}: cached", event.layer + 1, event.layer_count)
                 : "";
    case Kind::kExtracting:
      return style_ == ProgressStyle::kLines
                 ? fmt::format("layer {}/{}: extracting", event.layer + 1, event.layer_count)
                 : "";
    case Kind::kLayerDone:
      ++layers_done_;
      if (style_ == ProgressStyle::kBar) return bar_line();
      return fmt::format("layer {}/{}: done", event.layer + 1, event.layer_count);
    case Kind::kComplete:
      return fmt::format("{}pulled {} ({})", style_ == ProgressStyle::kBar ? "\n" : "",
                         event.reference, short_digest(event.manifest_digest));
  }
  return "";
}

runtime::PullOptions printed_pull_options(ProgressStyle style, bool insecure) {
  runtime::PullOptions options;
  options.insecure = insecure;
  if (style == ProgressStyle::kQuiet) return options;
  auto progress = std::make_shared<PullProgress>(style);
  auto last_bar = std::make_shared<std::chrono::steady_clock::time_point>();
  options.on_event = [progress, style, last_bar](const runtime::PullEvent& event) {
    std::string line = progress->render(event);
    if (line.empty()) return;
    if (style == ProgressStyle::kBar && line.front() == '\r') {
      // Byte counts arrive per network read: redraw at most ten times a second.
      auto now = std::chrono::steady_clock::now();
      if (event.kind == runtime::PullEvent::Kind::kLayerBytes &&
          now - *last_bar < std::chrono::milliseconds(100))
        return;
      *last_bar = now;
      fmt::print(stderr, "{}", line);
    } else {
      fmt::print(stderr, "{}\n", line);
    }
    std::fflush(stderr);
  };
  return options;
}

}  // namespace msb::cli
