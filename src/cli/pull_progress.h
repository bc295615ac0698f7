// The CLI's view of a pull: a live bar on a terminal, one line per step otherwise, nothing
// with -q. Output goes to stderr so that stdout stays the command's own.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/image_service.h"

namespace msb::cli {

enum class ProgressStyle { kQuiet, kLines, kBar };

// kBar when stderr is a terminal, else kLines; kQuiet when `quiet`.
ProgressStyle progress_style(bool quiet);

// Formats pull events. Not thread-safe; the image service serializes its events.
class PullProgress {
 public:
  explicit PullProgress(ProgressStyle style) : style_(style) {}
  // The line to print for `event` ("" for none). With kBar, a line starting with '\r'
  // replaces the previous one.
  std::string render(const runtime::PullEvent& event);

 private:
  std::string bar_line() const;

  ProgressStyle style_;
  std::string reference_;
  uint64_t total_ = 0;
  std::vector<uint64_t> layer_bytes_;
  size_t layers_done_ = 0;
};

// PullOptions whose events are printed on stderr in `style`.
runtime::PullOptions printed_pull_options(ProgressStyle style, bool insecure);

// "12.3 MiB", "512 B": sizes for people.
std::string human_bytes(uint64_t bytes);

}  // namespace msb::cli
