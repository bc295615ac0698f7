// msb logs NAME [--tail N] [--since T] [--until T] [--source exec,runtime,console] [-f]
// [--timestamps]: reads the sandbox's log files; works whether or not it runs.
#pragma once

#include <optional>

#include "cli/command.h"
#include "sdk/log_reader.h"

namespace msb::cli {

class LogsCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  Result<sdk::LogQuery> query() const;

  std::string name_;
  std::optional<size_t> tail_;
  std::string since_;
  std::string until_;
  std::vector<std::string> sources_;
  bool follow_ = false;
  bool timestamps_ = false;
};

// "2026-11-28T15:00:00Z" (RFC 3339 in UTC) or a duration before `now_ns`:
// "30s", "5m", "2h", "1d". Errors: kInvalidArgument.
Result<int64_t> parse_log_time(std::string_view text, int64_t now_ns);

}  // namespace msb::cli
