#include "server/exec_sessions.h"

#include <csignal>
#include <utility>

namespace msb::server {

using microsandbox::Error;
using microsandbox::ErrorKind;

LiveExec::LiveExec(microsandbox::ExecStream stream) : stream_(std::move(stream)) {
  thread_ = std::thread([this] { run(); });
}

LiveExec::~LiveExec() {
  kill();
  if (thread_.joinable()) thread_.join();
}

bool LiveExec::ended() const {
  std::lock_guard lock(mutex_);
  return finished_ && events_.empty();
}

std::optional<ExecStreamEvent> LiveExec::next(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, wait, [this] { return !events_.empty() || finished_; });
  if (events_.empty()) return std::nullopt;
  ExecStreamEvent event = std::move(events_.front());
  events_.pop_front();
  queued_bytes_ -= event.data.size();
  changed_.notify_all();  // room for the stream's thread
  return event;
}

void LiveExec::push(ExecStreamEvent event) {
  std::lock_guard lock(mutex_);
  queued_bytes_ += event.data.size();
  events_.push_back(std::move(event));
  changed_.notify_all();
}

void LiveExec::command(std::function<void(microsandbox::ExecStream&)> action) {
  auto error = std::make_shared<std::optional<Error>>();
  auto done = std::make_shared<bool>(false);
  std::unique_lock lock(mutex_);
  if (finished_) return;  // the process has ended: nothing to send it
  commands_.push_back(Command{std::move(action), error, done});
  changed_.notify_all();
  changed_.wait(lock, [&] { return *done || finished_; });
  if (*error) throw **error;
}

void LiveExec::write_stdin(std::string data, bool close_after) {
  command([data = std::move(data), close_after](microsandbox::ExecStream& s) {
    if (!data.empty()) s.write_stdin(data);
    if (close_after) s.close_stdin();
  });
}

void LiveExec::signal(int sig) {
  command([sig](microsandbox::ExecStream& s) { s.signal(sig); });
}

void LiveExec::resize(uint32_t rows, uint32_t cols) {
  command([rows, cols](microsandbox::ExecStream& s) { s.resize(rows, cols); });
}

void LiveExec::kill() {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  commands_.push_back(Command{[](microsandbox::ExecStream& s) { s.signal(SIGKILL); },
                              std::make_shared<std::optional<Error>>(),
                              std::make_shared<bool>(false)});
  changed_.notify_all();
}

void LiveExec::run() {
  using Kind = microsandbox::ExecEvent::Kind;
  for (;;) {
    // Commands first: a kill must not wait for a reader to make room.
    for (;;) {
      Command command;
      {
        std::lock_guard lock(mutex_);
        if (commands_.empty()) break;
        command = std::move(commands_.front());
        commands_.pop_front();
      }
      try {
        command.action(stream_);
      } catch (const Error& error) {
        *command.error = error;
      }
      std::lock_guard lock(mutex_);
      *command.done = true;
      changed_.notify_all();
    }
    {
      // Backpressure: with a full queue, read nothing more (the process blocks on its pipe).
      std::unique_lock lock(mutex_);
      if (queued_bytes_ >= kMaxQueuedBytes) {
        changed_.wait_for(lock, kPollInterval,
                          [this] { return queued_bytes_ < kMaxQueuedBytes || !commands_.empty(); });
        continue;
      }
    }
    std::optional<microsandbox::ExecEvent> event;
    try {
      event = stream_.next(kPollInterval);
    } catch (const Error& error) {
      if (error.kind() == ErrorKind::kTimeout) continue;
      ExecStreamEvent failed;
      failed.kind = ExecStreamEvent::Kind::kError;
      failed.data = error.what();
      failed.error_kind = microsandbox::error_kind_name(error.kind());
      push(std::move(failed));
      break;
    }
    if (!event) break;
    ExecStreamEvent out;
    switch (event->kind) {
      case Kind::kStarted:
        out.kind = ExecStreamEvent::Kind::kStarted;
        out.pid = event->pid;
        break;
      case Kind::kStdout:
        out.kind = ExecStreamEvent::Kind::kStdout;
        out.data = std::move(event->data);
        break;
      case Kind::kStderr:
        out.kind = ExecStreamEvent::Kind::kStderr;
        out.data = std::move(event->data);
        break;
      case Kind::kStdinClosed:
        continue;
      case Kind::kExited:
        out.kind = ExecStreamEvent::Kind::kExit;
        out.exit_code = event->exit_code;
        out.signal = event->signal;
        out.timed_out = event->timed_out;
        break;
    }
    push(std::move(out));
  }
  std::lock_guard lock(mutex_);
  finished_ = true;
  for (Command& command : commands_) *command.done = true;
  commands_.clear();
  changed_.notify_all();
}

ExecSessions::ExecSessions(std::chrono::milliseconds attach_timeout)
    : attach_timeout_(attach_timeout) {
  reaper_ = std::jthread([this](std::stop_token stop) {
    while (!stop.stop_requested()) {
      {
        std::unique_lock lock(mutex_);
        reaper_wakeup_.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
      }
      if (!stop.stop_requested()) reap_unattached(std::chrono::steady_clock::now());
    }
  });
}

ExecSessions::~ExecSessions() {
  reaper_.request_stop();
  if (reaper_.joinable()) reaper_.join();
}

std::string ExecSessions::start(microsandbox::Sandbox& sandbox, const std::string& cmd,
                                const std::vector<std::string>& args,
                                const microsandbox::ExecOptions& options) {
  {
    std::lock_guard lock(mutex_);
    if (sessions_.size() >= kMaxSessions)
      throw Error(ErrorKind::kInvalidArgument, "too many exec sessions (" +
                                                   std::to_string(kMaxSessions) +
                                                   "): end or delete some first");
  }
  auto live = std::make_shared<LiveExec>(sandbox.exec_stream(cmd, args, options));
  std::lock_guard lock(mutex_);
  std::string id = "exec-" + std::to_string(next_id_++);
  sessions_[id] = Session{std::move(live), std::chrono::steady_clock::now(), false};
  return id;
}

std::shared_ptr<LiveExec> ExecSessions::get(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) throw Error(ErrorKind::kNotFound, "exec session " + id + " not found");
  return it->second.live;
}

std::shared_ptr<LiveExec> ExecSessions::attach(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) throw Error(ErrorKind::kNotFound, "exec session " + id + " not found");
  if (it->second.attached)
    throw Error(ErrorKind::kAlreadyExists, "exec session " + id + " already has an event stream");
  it->second.attached = true;
  return it->second.live;
}

void ExecSessions::remove(const std::string& id) {
  std::shared_ptr<LiveExec> live;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return;
    live = std::move(it->second.live);
    sessions_.erase(it);
  }
  live.reset();  // kills a running process and joins its thread, outside the lock
}

size_t ExecSessions::reap_unattached(std::chrono::steady_clock::time_point now) {
  std::vector<std::shared_ptr<LiveExec>> expired;
  {
    std::lock_guard lock(mutex_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (!it->second.attached && now - it->second.started >= attach_timeout_) {
        expired.push_back(std::move(it->second.live));
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
  }
  size_t count = expired.size();
  expired.clear();  // kills and joins, outside the lock
  return count;
}

}  // namespace msb::server
