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
#include <vector>

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

// The live sessions, at most kMaxSessions. A session belongs to its one event stream: when
// the stream ends (the client went away) the process is killed. A session no stream ever
// attached to (its client vanished between the POST and the GET) is killed and removed by
// a reaper after the attach timeout, so it cannot hold a process and a slot forever.
// Thread-safe.
class ExecSessions {
 public:
  static constexpr size_t kMaxSessions = 64;
  static constexpr std::chrono::milliseconds kDefaultAttachTimeout{30'000};

  explicit ExecSessions(std::chrono::milliseconds attach_timeout = kDefaultAttachTimeout);
  ~ExecSessions();  // stops the reaper; the remaining sessions' processes are killed

  // Starts `cmd` in sandbox `sandbox` and returns the new session's id. kInvalidArgument
  // "too many exec sessions" past kMaxSessions.
  std::string start(microsandbox::Sandbox& sandbox, const std::string& cmd,
                    const std::vector<std::string>& args, const microsandbox::ExecOptions& options);
  // kNotFound for an unknown (or finished and removed) id.
  std::shared_ptr<LiveExec> get(const std::string& id);
  // get() for the session's event stream: kAlreadyExists when a stream has it already.
  std::shared_ptr<LiveExec> attach(const std::string& id);
  void remove(const std::string& id);
  // Removes the sessions started before `now` - attach timeout that no stream attached to,
  // killing their processes; returns how many. The reaper calls it every second.
  size_t reap_unattached(std::chrono::steady_clock::time_point now);

 private:
  struct Session {
    std::shared_ptr<LiveExec> live;
    std::chrono::steady_clock::time_point started;
    bool attached = false;
  };

  std::chrono::milliseconds attach_timeout_;
  std::mutex mutex_;
  std::map<std::string, Session> sessions_;
  uint64_t next_id_ = 1;
  std::condition_variable_any reaper_wakeup_;
  std::jthread reaper_;  // last: it uses the members above
};

}  // namespace msb::server
