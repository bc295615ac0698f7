#include "exec_pump.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <utility>
#include <vector>

#include "bindings.h"
#include "native_errors.h"
#include "pump_threads.h"

namespace msb_python {

namespace {

std::atomic<bool> finalizing{false};

// Every pump whose thread runs, so that interpreter exit can stop them first.
std::mutex live_mutex;
std::vector<std::weak_ptr<ExecPump>> live_pumps;

void call_done(const std::shared_ptr<py::object>& done, const std::optional<ErrorTuple>& error) {
  if (!done || finalizing) return;
  py::gil_scoped_acquire gil;
  try {
    if (error) {
      (*done)(py::make_tuple(std::get<0>(*error), std::get<1>(*error), std::get<2>(*error)));
    } else {
      (*done)(py::none());
    }
  } catch (py::error_already_set& raised) {
    raised.discard_as_unraisable("microsandbox exec command callback");
  }
}

}  // namespace

bool python_finalizing() { return finalizing; }

std::shared_ptr<py::object> hold(py::object object) {
  return std::shared_ptr<py::object>(new py::object(std::move(object)), [](py::object* held) {
    if (finalizing) return;  // leaked: the interpreter is going away
    py::gil_scoped_acquire gil;
    delete held;
  });
}

ExecPump::ExecPump(Starter start, py::object on_event, bool collect)
    : start_(std::move(start)), on_event_(hold(std::move(on_event))), collect_(collect) {}

ExecPump::~ExecPump() = default;

void ExecPump::start() {
  {
    std::lock_guard lock(live_mutex);
    std::erase_if(live_pumps, [](const std::weak_ptr<ExecPump>& pump) { return pump.expired(); });
    live_pumps.push_back(weak_from_this());
  }
  // The task keeps the pump alive until the stream has ended.
  PumpThreads::instance().run([self = shared_from_this()] { self->run_loop(); });
}

bool ExecPump::finished() const {
  std::lock_guard lock(mutex_);
  return finished_;
}

void ExecPump::consumed(size_t bytes) {
  {
    std::lock_guard lock(mutex_);
    outstanding_bytes_ -= std::min(bytes, outstanding_bytes_);
  }
  finished_changed_.notify_all();
}

void ExecPump::queue(std::function<void(microsandbox::ExecStream&)> run, py::object done) {
  std::shared_ptr<py::object> held = done.is_none() ? nullptr : hold(std::move(done));
  {
    std::lock_guard lock(mutex_);
    if (!finished_) {
      commands_.push_back(Command{std::move(run), std::move(held)});
      finished_changed_.notify_all();
      return;
    }
  }
  // The process has ended: nothing to send it; the command is done.
  call_done(held, std::nullopt);
}

void ExecPump::write_stdin(std::string data, py::object done) {
  queue([data = std::move(data)](microsandbox::ExecStream& s) { s.write_stdin(data); },
        std::move(done));
}
void ExecPump::close_stdin(py::object done) {
  queue([](microsandbox::ExecStream& s) { s.close_stdin(); }, std::move(done));
}
void ExecPump::signal(int sig, py::object done) {
  queue([sig](microsandbox::ExecStream& s) { s.signal(sig); }, std::move(done));
}
void ExecPump::resize(uint32_t rows, uint32_t cols, py::object done) {
  queue([rows, cols](microsandbox::ExecStream& s) { s.resize(rows, cols); }, std::move(done));
}

void ExecPump::kill_and_join(std::chrono::milliseconds grace) {
  std::unique_lock lock(mutex_);
  if (!finished_) {
    commands_.push_back(Command{[](microsandbox::ExecStream& s) { s.signal(SIGKILL); }, nullptr});
    finished_changed_.notify_all();
  }
  finished_changed_.wait_for(lock, grace, [this] { return finished_; });
}

void ExecPump::run_commands() {
  for (;;) {
    Command command;
    {
      std::lock_guard lock(mutex_);
      if (commands_.empty()) return;
      command = std::move(commands_.front());
      commands_.pop_front();
    }
    std::optional<ErrorTuple> error;
    try {
      command.run(*stream_);
    } catch (const microsandbox::Error& failure) {
      error = error_tuple(failure);
    } catch (const std::exception& failure) {
      error = ErrorTuple{"internal", failure.what(), 0};
    }
    call_done(command.done, error);
  }
}

void ExecPump::run_loop() {
  bool failed = false;
  try {
    stream_.emplace(start_());
  } catch (const microsandbox::Error& error) {
    deliver_failure(error);
    failed = true;
  } catch (const std::exception& error) {
    deliver_failure(microsandbox::Error(microsandbox::ErrorKind::kInternal, error.what()));
    failed = true;
  }
  start_ = nullptr;
  if (!failed && !collect_) {
    // The request is sent: exec_stream() returns its handle now, and a sandbox that is not
    // running has failed it above instead (an error, not a stream).
    post([] { return py::make_tuple("connected", 0, py::none(), 0, 0, false, py::none()); });
  }
  while (!failed) {
    run_commands();
    if (!collect_) {
      std::unique_lock lock(mutex_);
      if (outstanding_bytes_ >= kMaxOutstandingBytes) {
        finished_changed_.wait_for(lock, kPollInterval, [this] {
          return outstanding_bytes_ < kMaxOutstandingBytes || !commands_.empty();
        });
        continue;
      }
    }
    std::optional<microsandbox::ExecEvent> event;
    try {
      event = stream_->next(kPollInterval);
    } catch (const microsandbox::Error& error) {
      if (error.kind() == microsandbox::ErrorKind::kTimeout) continue;
      deliver_failure(error);
      break;
    } catch (const std::exception& error) {
      deliver_failure(microsandbox::Error(microsandbox::ErrorKind::kInternal, error.what()));
      break;
    }
    if (!event) break;
    deliver_event(*event);
  }
  std::deque<Command> leftover;
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
    leftover.swap(commands_);
  }
  finished_changed_.notify_all();
  for (Command& command : leftover) call_done(command.done, std::nullopt);
  if (!collect_) deliver_end();
  // The stream (its connection) goes now, not when the last reference to the pump does.
  stream_.reset();
}

void ExecPump::deliver_event(const microsandbox::ExecEvent& event) {
  using Kind = microsandbox::ExecEvent::Kind;
  if (event.kind == Kind::kStarted) pid_ = event.pid;
  if (collect_) {
    if (event.kind == Kind::kStdout) {
      stdout_ += event.data;
      return;
    }
    if (event.kind == Kind::kStderr) {
      stderr_ += event.data;
      return;
    }
    if (event.kind != Kind::kExited) return;
    deliver_collected(event);
    return;
  }
  if (event.kind == Kind::kStdout || event.kind == Kind::kStderr) {
    std::lock_guard lock(mutex_);
    outstanding_bytes_ += event.data.size();
  }
  post([&] {
    py::object data = py::none();
    const char* kind = "started";
    switch (event.kind) {
      case Kind::kStarted:
        kind = "started";
        break;
      case Kind::kStdout:
        kind = "stdout";
        data = py::bytes(event.data);
        break;
      case Kind::kStderr:
        kind = "stderr";
        data = py::bytes(event.data);
        break;
      case Kind::kStdinClosed:
        kind = "stdin_closed";
        break;
      case Kind::kExited:
        kind = "exited";
        break;
    }
    return py::make_tuple(kind, pid_, data, event.exit_code, event.signal, event.timed_out,
                          py::none());
  });
}

void ExecPump::deliver_collected(const microsandbox::ExecEvent& exited) {
  post([&] {
    py::object data = py::make_tuple(py::bytes(stdout_), py::bytes(stderr_));
    std::string().swap(stdout_);
    std::string().swap(stderr_);
    return py::make_tuple("collected", pid_, data, exited.exit_code, exited.signal,
                          exited.timed_out, py::none());
  });
}

void ExecPump::deliver_failure(const microsandbox::Error& error) {
  auto [kind, message, sys_errno] = error_tuple(error);
  post([&] {
    return py::make_tuple("failed", pid_, py::none(), 0, 0, false,
                          py::make_tuple(kind, message, sys_errno));
  });
}

void ExecPump::deliver_end() {
  post([&] { return py::make_tuple("end", pid_, py::none(), 0, 0, false, py::none()); });
}

void ExecPump::post(const std::function<py::tuple()>& make_event) {
  if (finalizing) return;
  py::gil_scoped_acquire gil;  // the tuple is built under it too
  try {
    (*on_event_)(make_event());
  } catch (py::error_already_set& raised) {
    raised.discard_as_unraisable("microsandbox exec event callback");
  }
}

void shutdown_exec_pumps() {
  finalizing = true;
  std::vector<std::shared_ptr<ExecPump>> pumps;
  {
    std::lock_guard lock(live_mutex);
    for (auto& weak : live_pumps) {
      if (auto pump = weak.lock()) pumps.push_back(std::move(pump));
    }
    live_pumps.clear();
  }
  py::gil_scoped_release release;
  for (auto& pump : pumps) pump->kill_and_join();
}

void register_exec(py::module_& m) {
  py::class_<ExecPump, std::shared_ptr<ExecPump>>(m, "ExecPump")
      .def("write_stdin",
           [](ExecPump& pump, py::bytes data, py::object done) {
             pump.write_stdin(std::string(data), std::move(done));
           })
      .def("close_stdin", &ExecPump::close_stdin)
      .def("signal", &ExecPump::signal)
      .def("resize", &ExecPump::resize)
      .def("consumed", &ExecPump::consumed)
      .def_property_readonly("pid", &ExecPump::pid)
      .def_property_readonly("finished", &ExecPump::finished)
      .def(
          "kill_and_join", [](ExecPump& pump) { pump.kill_and_join(); },
          py::call_guard<py::gil_scoped_release>());
  m.def("_shutdown", &shutdown_exec_pumps);
}

}  // namespace msb_python
