// ExecSessions: processes started with POST /v1/sandboxes/{name}/execs and streamed with
// GET /v1/execs/{id}/events. Each LiveExec has a thread that owns its C++ ExecStream (not
// thread-safe): it moves events into a queue bounded by kMaxQueuedBytes of output, which
// holds the process back through the agent's flow control when the client reads slowly, and
// runs the commands other requests queue (stdin, signal, resize, kill) between reads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "microsandbox/exec.h"
#include "microsandbox/sandbox.h"

namespace msb::server {

struct ExecStreamEvent {
  enum class Kind { kStarted, kStdout, kStderr, kExit, kError } kind = Kind::kStarted;
  int pid = 0;
  std::string data;  // output; kError: the message
  int exit_code = 0;
  int signal = 0;
  bool timed_out = false;
  std::string error_kind;  // kError
};

class LiveExec {
 public:
  static constexpr size_t kMaxQueuedBytes = 1u << 20;
  static constexpr std::chrono::milliseconds kPollInterval{10};

  explicit LiveExec(microsandbox::ExecStream stream);
  ~LiveExec();  // kills the process if it still runs, and joins the thread
  LiveExec(const LiveExec&) = delete;
  LiveExec& operator=(const LiveExec&) = delete;

  // The next event, waiting at most `wait`; nullopt on timeout, and once the last event
  // (kExit or kError) was taken.
  std::optional<ExecStreamEvent> next(std::chrono::milliseconds wait);
  bool ended() const;

  // Queued for the stream's thread; they wait until it ran them and rethrow its error.
  void write_stdin(std::string data, bool close_after);
  void signal(int sig);
  void resize(uint32_t rows, uint32_t cols);
  // SIGKILL to the process group, without waiting.
  void kill();

 private:
  void run();
  void command(std::function<void(microsandbox::ExecStream&)> action);
  void push(ExecStreamEvent event);

  microsandbox::ExecStream stream_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<ExecStreamEvent> events_;
  size_t queued_bytes_ = 0;
  bool finished_ = false;  // the thread has pushed the last event
  bool taken_last_ = false;
  struct Command {
    std::function<void(microsandbox::ExecStream&)> action;
    std::shared_ptr<std::optional<microsandbox::Error>> error;
    std::shared_ptr<bool> done;
  };
  std::deque<Command> commands_;
  std::thread thread_;
};

class ExecSessions {
 public:
  static constexpr size_t kMaxSessions = 64;

  // Starts `cmd` in sandbox `sandbox` and returns the new session's id. kInvalidArgument
  // "too many exec sessions" past kMaxSessions.
  std::string start(microsandbox::Sandbox& sandbox, const std::string& cmd,
                    const std::vector<std::string>& args, const microsandbox::ExecOptions& options);
  // kNotFound for an unknown (or finished and removed) id.
  std::shared_ptr<LiveExec> get(const std::string& id);
  void remove(const std::string& id);

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<LiveExec>> sessions_;
  uint64_t next_id_ = 1;
};

}  // namespace msb::server
