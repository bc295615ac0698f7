#include "cli/logs_command.h"

#include <fmt/format.h>
#include <time.h>
#include <unistd.h>

#include <charconv>
#include <thread>

#include "common/paths.h"
#include "common/utc_time.h"
#include "config/validate.h"
#include "os/clock.h"
#include "sdk/lifecycle.h"

namespace msb::cli {
namespace {

constexpr std::chrono::milliseconds kFollowPoll{200};

std::string stamp(int64_t ns) {
  if (ns <= 0) return "-";
  return rfc3339_millis(std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(ns))));
}

void print_line(const sdk::LogLine& line, bool timestamps) {
  std::string prefix = timestamps ? stamp(line.time_ns) + " " : "";
  switch (line.source) {
    case sdk::LogSource::kExec:
      if (line.stream == "stdout" || line.stream == "stderr") {
        fmt::print("{}{}", prefix, line.text);
      } else if (line.stream == "start") {
        fmt::print("{}[session {}] $ {}\n", prefix, line.session, line.text);
      } else {
        fmt::print("{}[session {}] {}\n", prefix, line.session, line.text);
      }
      break;
    case sdk::LogSource::kRuntime:
      fmt::print("{}[runtime] {} {}\n", prefix, line.stream, line.text);
      break;
    case sdk::LogSource::kConsole:
      fmt::print("{}[console] {}\n", prefix, line.text);
      break;
  }
}

}  // namespace

Result<int64_t> parse_log_time(std::string_view text, int64_t now_ns) {
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0])) && text.size() <= 8) {
    int64_t amount = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
    std::string_view unit(end, text.data() + text.size() - end);
    int64_t scale = unit == "s"   ? 1
                    : unit == "m" ? 60
                    : unit == "h" ? 3600
                    : unit == "d" ? 86400
                                  : 0;
    if (ec == std::errc() && scale != 0) return now_ns - amount * scale * 1'000'000'000;
  }
  tm parts{};
  std::string copy(text);
  const char* rest = strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%S", &parts);
  if (rest && (std::string_view(rest) == "Z" || std::string_view(rest).empty()))
    return int64_t(timegm(&parts)) * 1'000'000'000;
  return err(ErrorKind::kInvalidArgument,
             "'{}' is not a time: use RFC 3339 UTC (2026-11-28T15:00:00Z) or a duration ago "
             "(30s, 5m, 2h, 1d)",
             text);
}

CLI::App* LogsCommand::add_to(CLI::App& app) {
  CLI::App* logs = app.add_subcommand("logs", "Show a sandbox's logs");
  logs->add_option("name", name_, "Sandbox name")->required();
  logs->add_option("--tail", tail_, "Only the last N lines");
  logs->add_option("--since", since_, "Only lines at or after a time (RFC 3339, or 5m ago)");
  logs->add_option("--until", until_, "Only lines at or before a time");
  logs->add_option("--source", sources_, "exec, runtime, console (default exec,runtime)")
      ->delimiter(',');
  logs->add_flag("-f,--follow", follow_, "Keep printing new lines until the sandbox stops");
  logs->add_flag("--timestamps", timestamps_, "Prefix each line with its time");
  return logs;
}

Result<sdk::LogQuery> LogsCommand::query() const {
  sdk::LogQuery query;
  query.tail = tail_;
  int64_t now = static_cast<int64_t>(os::realtime_ns());
  if (!since_.empty()) query.since_ns = MSB_TRY(parse_log_time(since_, now));
  if (!until_.empty()) query.until_ns = MSB_TRY(parse_log_time(until_, now));
  for (const std::string& source : sources_)
    query.sources.push_back(MSB_TRY(sdk::parse_log_source(source)));
  return query;
}

Result<int> LogsCommand::run() {
  MSB_TRY(config::validate_name(name_));
  sdk::LogQuery wanted = MSB_TRY(query());
  store::SandboxRecord record = MSB_TRY(sdk::get_sandbox(name_));
  std::string logs_dir = sandbox_paths(msb_home(), name_).logs;
  std::vector<sdk::LogLine> lines = MSB_TRY(sdk::read_logs(logs_dir, wanted));
  for (const sdk::LogLine& line : lines) print_line(line, timestamps_);
  if (!follow_) return 0;
  int64_t printed_until = lines.empty() ? 0 : lines.back().time_ns;
  wanted.tail.reset();
  for (;;) {
    std::fflush(stdout);
    bool active = sdk::is_active(record.status);
    std::this_thread::sleep_for(kFollowPoll);
    wanted.since_ns = printed_until + 1;
    for (const sdk::LogLine& line : MSB_TRY(sdk::read_logs(logs_dir, wanted))) {
      if (line.time_ns == 0) continue;
      print_line(line, timestamps_);
      printed_until = line.time_ns;
    }
    if (!active) return 0;
    Result<store::SandboxRecord> now = sdk::get_sandbox(name_);
    if (!now) return 0;  // removed (ephemeral)
    record = std::move(*now);
  }
}

}  // namespace msb::cli
