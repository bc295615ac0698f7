// ExecPump: one running process, driven by its own thread so that Python never blocks on it.
//
// The C++ ExecStream is not thread-safe, and asyncio needs signal(), resize() and stdin
// writes to work while a recv() waits. So one thread owns the stream: it waits for events
// at most kPollInterval at a time and, between waits, runs the commands other threads
// queued (write, close stdin, signal, resize). Events go to a Python callable (with the
// GIL taken), which posts them to the event loop; each command's completion goes to its
// own callable.
//
// The thread also starts the process (connect and request), so that starting an exec costs
// the event loop no thread hop and no blocking call.
//
// Event tuples: (kind, pid, data, exit_code, signal, timed_out, error) where kind is
// "connected" (stream mode: the request is sent), "started", "stdout", "stderr",
// "stdin_closed", "exited", "failed" (error is (kind, message, errno)), and "end" last. In collect
// mode there is exactly one event: "collected" (data is (stdout, stderr)) or "failed".
#pragma once

#include <pybind11/pybind11.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "microsandbox/exec.h"

namespace msb_python {

namespace py = pybind11;

class ExecPump : public std::enable_shared_from_this<ExecPump> {
 public:
  static constexpr std::chrono::milliseconds kPollInterval{10};
  // Output posted to Python and not yet taken by recv(): past this the pump stops reading,
  // and the agent's flow control holds the process back (stream mode; collect mode keeps
  // the whole output by design, as Sandbox::exec does).
  static constexpr size_t kMaxOutstandingBytes = 1u << 20;

  // collect: output is gathered and reported once, as "collected", instead of event by
  // event (Sandbox.exec: one hop into Python instead of one per chunk).
  using Starter = std::function<microsandbox::ExecStream()>;
  ExecPump(Starter start, py::object on_event, bool collect);
  ~ExecPump();
  ExecPump(const ExecPump&) = delete;
  ExecPump& operator=(const ExecPump&) = delete;

  // Starts the pump on a thread of PumpThreads, which holds it alive until the process has
  // ended.
  void start();

  // Each queues a command; `done` (may be None) is called with None or an error tuple.
  void write_stdin(std::string data, py::object done);
  void close_stdin(py::object done);
  void signal(int sig, py::object done);
  void resize(uint32_t rows, uint32_t cols, py::object done);

  // recv() took `bytes` of output: room for more.
  void consumed(size_t bytes);
  int pid() const { return pid_; }
  bool finished() const;
  // SIGKILL to the process group and wait until the pump has ended (GIL released by the
  // caller), at most `grace`: a pump stuck in a stdin write to a process that does not read
  // (the kill waits behind the write) is left to die with this process instead of hanging it.
  void kill_and_join(std::chrono::milliseconds grace = std::chrono::seconds(2));

 private:
  struct Command {
    std::function<void(microsandbox::ExecStream&)> run;
    std::shared_ptr<py::object> done;
  };

  void queue(std::function<void(microsandbox::ExecStream&)> run, py::object done);
  void run_loop();
  void run_commands();
  void deliver_event(const microsandbox::ExecEvent& event);
  void deliver_failure(const microsandbox::Error& error);
  void deliver_end();
  // Calls the event callable with the tuple `make_event` builds, the GIL taken; nothing
  // once the interpreter's exit has begun (python_finalizing()).
  void post(const std::function<py::tuple()>& make_event);
  void deliver_collected(const microsandbox::ExecEvent& exited);

  Starter start_;
  std::optional<microsandbox::ExecStream> stream_;
  std::shared_ptr<py::object> on_event_;
  bool collect_;
  std::string stdout_;
  std::string stderr_;
  int pid_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable finished_changed_;  // also: commands queued, output consumed
  size_t outstanding_bytes_ = 0;
  std::deque<Command> commands_;
  bool finished_ = false;
};

// A Python object held from C++ threads: released with the GIL taken (or leaked once the
// interpreter is shutting down: python_finalizing()).
std::shared_ptr<py::object> hold(py::object object);

// True once the interpreter's exit has begun (shutdown_exec_pumps ran). A thread that takes
// the GIL after that is ended by Python with pthread_exit, which unwinds into C++ noexcept
// frames and aborts the process: native threads that outlive the exit (a pump left behind
// after its grace) must not touch Python objects any more.
bool python_finalizing();

}  // namespace msb_python
