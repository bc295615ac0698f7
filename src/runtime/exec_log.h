// ExecLog: logs/exec.log, one JSON object per line for every session's request, output
// chunk and exit, each with a wall-clock time (ns since the epoch) and the session id:
//   {"t":..., "session":..., "stream":"stdout"|"stderr"|"start"|"exit", ...}
// Output that is not UTF-8 is stored with U+FFFD replacements. Not thread-safe.
#pragma once

#include <string>

#include "common/error.h"
#include "os/fd.h"
#include "runtime/agent_relay.h"

namespace msb::runtime {

class ExecLog final : public RelayObserver {
 public:
  // Opens `path` for appending (creating it). Errors: those of os::open_file.
  static Result<ExecLog> open(const std::string& path);

  void on_request(uint32_t session, const protocol::ExecRequest& request) override;
  void on_output(uint32_t session, const char* stream, std::string_view data) override;
  void on_exit(uint32_t session, const protocol::ExecExited& exited) override;

 private:
  explicit ExecLog(os::Fd fd) : fd_(std::move(fd)) {}
  void append(const std::string& line);

  os::Fd fd_;
};

}  // namespace msb::runtime
