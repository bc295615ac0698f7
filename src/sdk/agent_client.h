// AgentClient: one connection to a running sandbox's agent.sock (through its supervisor's
// relay), for exec and file calls. Not thread-safe; one request at a time.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "common/error.h"
#include "protocol/connection.h"
#include "protocol/messages.h"

namespace msb::sdk {

// Receives output as it arrives (stream: 1 = stdout, 2 = stderr) instead of collecting it.
using OutputSink = std::function<Result<void>(int stream, std::string_view data)>;

struct ExecResult {
  int exit_code = 0;
  int signal = 0;
  std::string stdout_data;
  std::string stderr_data;
};

class AgentClient {
 public:
  // Connects and waits for the supervisor's greeting. Errors: kNotFound (not running),
  // kTimeout, kProtocol.
  static Result<AgentClient> connect(const std::string& socket_path,
                                     std::chrono::milliseconds timeout);

  // Runs one command to completion, feeding it `stdin_data` (then EOF) when given, and
  // collects its output. A command running past `timeout` is killed: kTimeout. Errors:
  // kExecFailed (sys_errno ENOENT when not found), kInvalidArgument (draining), kProtocol.
  Result<ExecResult> exec(const protocol::ExecRequest& request,
                          const std::optional<std::string>& stdin_data,
                          std::optional<std::chrono::milliseconds> timeout,
                          const OutputSink& sink = nullptr);
  // lstat of a guest path.
  Result<protocol::FsStatResult> stat(const std::string& path);

 private:
  explicit AgentClient(protocol::FrameConnection connection) : connection_(std::move(connection)) {}
  // The next frame; kTimeout at the deadline, kIo when the sandbox went away.
  Result<protocol::Envelope> next(uint64_t deadline_ns);

  protocol::FrameConnection connection_;
  uint32_t next_id_ = 1;
  bool closed_ = false;
};

}  // namespace msb::sdk
