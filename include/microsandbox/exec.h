// Running processes in a sandbox: options, collected output, and live streams.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "microsandbox/error.h"
#include "microsandbox/export.h"

namespace microsandbox {

// One resource limit: resource is as in `ulimit`/setrlimit without RLIMIT_ (nofile,
// nproc, as, core, cpu, data, fsize, locks, memlock, msgqueue, nice, rss, rtprio, rttime,
// sigpending, stack). nullopt = unlimited; hard defaults to soft.
struct Rlimit {
  std::string resource;
  std::optional<uint64_t> soft;
  std::optional<uint64_t> hard;
  bool hard_given = false;  // false: hard = soft
};

struct ExecOptions {
  std::vector<std::pair<std::string, std::string>> env;  // merged over the sandbox env
  std::string cwd;                                       // default: the sandbox workdir, else /
  std::string user;                       // "name", "uid", "uid:gid"; default: the sandbox user
  std::optional<std::string> stdin_data;  // exec(): default stdin is /dev/null
  bool stdin_stream = false;              // exec_stream(): stdin is writable
  std::optional<std::chrono::milliseconds> timeout;  // the process group is killed past it
  std::vector<Rlimit> rlimits;
  bool tty = false;  // a pseudo-terminal: output all on stdout
  uint32_t rows = 24;
  uint32_t cols = 80;
};

struct ExecOutput {
  int exit_code = 0;
  int signal = 0;          // non-zero when killed by a signal
  bool timed_out = false;  // killed because it ran past ExecOptions::timeout
  std::string stdout_data;
  std::string stderr_data;
  bool success() const { return exit_code == 0 && signal == 0 && !timed_out; }
};

struct ExecEvent {
  enum class Kind { kStarted, kStdout, kStderr, kStdinClosed, kExited };
  Kind kind = Kind::kStarted;
  int pid = 0;             // kStarted
  std::string data;        // kStdout, kStderr
  int exit_code = 0;       // kExited
  int signal = 0;          // kExited: non-zero when killed by a signal
  bool timed_out = false;  // kExited
};

// Sandbox::attach(): the process on this process's own terminal (or stdin/stdout/stderr).
struct AttachOptions {
  std::vector<std::pair<std::string, std::string>> env;  // merged over the sandbox env
  std::string cwd;                                       // default: the sandbox workdir, else /
  std::string user;  // "name", "uid", "uid:gid"; default: the sandbox user
  // Keys that detach, as Docker spells them: comma-separated, each one character or
  // ctrl-<key> with <key> one of a-z @ [ \ ] ^ _ ("ctrl-]", "ctrl-p,ctrl-q"). They are
  // matched only on a raw host terminal. "" disables detaching.
  std::string detach_keys = "ctrl-]";
  std::optional<bool> tty;  // a pseudo-terminal; default: when stdin is a terminal
};

struct AttachResult {
  bool detached = false;  // the detach keys were typed; exit_code and signal are 0
  int exit_code = 0;
  int signal = 0;  // non-zero when killed by a signal
  // As a shell reports it: exit_code, or 128 + signal.
  int status() const { return signal != 0 ? 128 + signal : exit_code; }
};

// A running process. Events come in order; after kExited, next() returns nullopt.
// Move-only, not thread-safe.
//
// Flow control: output is acknowledged to the sandbox as next() hands it out. A stream
// that is not read holds back its own process only: after about 1 MiB of unread output
// the process blocks on its full pipe, and the sandbox's other execs and file calls go on.
//
// Destroying a stream before kExited cancels it: the process group is killed (SIGKILL)
// and its remaining output and stdin are dropped; nothing is reported. Call wait() first
// to let the process finish.
class MSB_EXPORT ExecStream {
 public:
  ExecStream(ExecStream&&) noexcept;
  ExecStream& operator=(ExecStream&&) noexcept;
  ~ExecStream();

  // The next event, waiting at most `timeout` (kTimeout when it passes). A failure to
  // start throws kExecFailed with the reason (not found, permission denied, bad cwd, bad
  // user, resource limit, pty setup).
  std::optional<ExecEvent> next(std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // Requires ExecOptions::stdin_stream or tty. Sends up to the sandbox's stdin window
  // (1 MiB per process) ahead of what the process has read, then waits for it to read
  // more. While it waits, the events that arrive are kept for next(), and the output among
  // them is acknowledged (a process such as cat writes before it reads on, so holding its
  // output back would deadlock). Data written after the process exited, or after it closed
  // its stdin (kStdinClosed), is dropped.
  void write_stdin(std::string_view data);
  void close_stdin();
  // To the process group.
  void signal(int sig);
  void resize(uint32_t rows, uint32_t cols);
  int pid() const;
  // Reads every remaining event into an ExecOutput.
  ExecOutput wait();

  struct Impl;  // opaque

 private:
  explicit ExecStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend struct ExecStreamAccess;
};

}  // namespace microsandbox
