// Reading a sandbox's logs (sandboxes/<name>/logs) without its supervisor: the exec log
// (JSONL), the supervisor log and the guest console, merged by time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

namespace msb::sdk {

enum class LogSource { kExec, kRuntime, kConsole };
std::string_view log_source_name(LogSource source);  // "exec", "runtime", "console"
Result<LogSource> parse_log_source(std::string_view name);

struct LogLine {
  int64_t time_ns = 0;  // 0 when the source has no times (console)
  LogSource source = LogSource::kExec;
  std::string stream;    // exec: stdout, stderr, start, exit; runtime: the level
  uint32_t session = 0;  // exec only
  std::string text;
};

struct LogQuery {
  std::optional<size_t> tail;  // the last N lines after filtering
  std::optional<int64_t> since_ns;
  std::optional<int64_t> until_ns;
  std::vector<LogSource> sources;  // empty: exec and runtime (the console is noisy)
};

// Lines of `logs_dir`, oldest first; console lines (no times) come first in file order and
// are dropped by since/until. Missing files are empty. Errors: kIo.
Result<std::vector<LogLine>> read_logs(const std::string& logs_dir, const LogQuery& query);

// Parses one runtime.log line; nullopt when it does not have the log file pattern.
std::optional<LogLine> parse_runtime_line(std::string_view line);
// Parses one exec.log line; nullopt when it is not such a JSON object.
std::optional<LogLine> parse_exec_line(std::string_view line);

}  // namespace msb::sdk
