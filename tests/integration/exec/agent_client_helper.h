// A small blocking host for tests: spawns msb-agentd in channel mode on one end of a
// socketpair and exchanges frames with it. Every wait has a timeout, so a broken agent
// fails a test instead of hanging it. It follows the flow control of docs/protocol.md:
// output is acknowledged (core.ack) as next() decodes it, unless a test turns that off,
// and pipe_stdin() keeps stdin within the agent's window.
#pragma once

// Under ASan the agent's RSS includes the sanitizer's quarantine of freed blocks, so the
// tests' memory bounds are checked in the normal build only.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kMemoryBoundsChecked = false;
#else
inline constexpr bool kMemoryBoundsChecked = true;
#endif

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "os/child_process.h"
#include "os/clock.h"
#include "os/file.h"
#include "os/io.h"
#include "os/process_stat.h"
#include "protocol/flow_control.h"
#include "protocol/frame.h"
#include "protocol/messages.h"
#include "wait_until.h"

namespace msb::testing {

using std::chrono::milliseconds;

inline constexpr milliseconds kAgentTimeout{10'000};

// Everything the agent sent for one session id (an exec session or an fs request), up to
// and including its terminal frame.
struct SessionEvents {
  std::optional<protocol::ExecStarted> started;
  std::string stdout_data;
  std::string stderr_data;
  size_t largest_chunk = 0;
  std::optional<protocol::ExecExited> exited;
  std::optional<protocol::ExecFailed> failed;
  std::optional<protocol::CoreError> error;
  std::optional<protocol::FsStatResult> stat_result;
  std::optional<protocol::FsError> fs_error;
  std::vector<std::string> order;  // wire names, in arrival order
  uint8_t terminal_flags = 0;      // flags of the last frame
};

class AgentClient {
 public:
  // Starts `agentd_path --channel-fd=3`; the agent's stderr is ours.
  static Result<AgentClient> start(const std::string& agentd_path) {
    os::SocketPair sockets = MSB_TRY(os::make_socketpair(SOCK_STREAM));
    os::SpawnOptions options;
    options.argv = {agentd_path, "--channel-fd=3"};
    options.fds = {{sockets.second.get(), 3}, {2, 2}};
    options.parent_death_signal = SIGKILL;
    os::ChildProcess agent = MSB_TRY(os::ChildProcess::spawn(options));
    return AgentClient(std::move(agent), std::move(sockets.first));
  }

  AgentClient(AgentClient&&) = default;
  ~AgentClient() {
    if (!agent_.running()) return;
    close_channel();  // the agent exits when the host goes away
    (void)agent_.wait_for(milliseconds(5000));
  }  // ChildProcess kills and reaps it if it did not

  os::ChildProcess& agent() { return agent_; }
  void close_channel() { channel_.reset(); }

  Result<void> send(uint32_t id, uint8_t flags, const protocol::Message& message) {
    std::string frame = MSB_TRY(protocol::encode_message(id, flags, message));
    return send_raw(frame);
  }
  // Whole frames only: a test's writer thread and next()'s acknowledgements share the channel.
  Result<void> send_raw(std::string_view bytes) {
    std::lock_guard<std::mutex> lock(*send_mutex_);
    return os::write_all(channel_.get(), bytes);
  }
  // Off: output is not acknowledged, so the agent stops a session at its output window;
  // acknowledge() then gives credit back by hand.
  void set_auto_ack(bool on) { auto_ack_ = on; }
  Result<void> acknowledge(uint32_t id, uint64_t bytes) {
    return send(id, 0, protocol::CoreAck{bytes});
  }
  // The exec.stdin cost the agent has acknowledged for session `id` so far.
  uint64_t stdin_acked(uint32_t id) const {
    auto it = stdin_acked_.find(id);
    return it == stdin_acked_.end() ? 0 : it->second;
  }
  Result<void> send_body(uint32_t id, uint8_t flags, std::string_view body) {
    return send_raw(protocol::encode_frame({id, flags, std::string(body)}));
  }

  // The next frame from the agent (frames set aside by collect() first), exec.stdin_ack
  // left out (see stdin_acked()). kTimeout when nothing arrives in time, kProtocol when the
  // agent closed the channel or sent garbage.
  Result<protocol::Envelope> next(milliseconds timeout = kAgentTimeout) {
    return next_frame(timeout, /*with_stdin_acks=*/false);
  }

  // As next(), returning exec.stdin_ack frames too (counted all the same).
  Result<protocol::Envelope> next_frame(milliseconds timeout, bool with_stdin_acks) {
    if (!pending_.empty()) {
      protocol::Envelope envelope = std::move(pending_.front());
      pending_.pop_front();
      return envelope;
    }
    uint64_t deadline = os::monotonic_ns() + uint64_t(timeout.count()) * 1'000'000;
    for (;;) {
      if (std::optional<protocol::FrameReader::Item> item = reader_.next()) {
        protocol::Envelope envelope = MSB_TRY(decode(*item));
        MSB_TRY(account(envelope));
        // Flow control is this helper's business: stdin acks are counted, not returned.
        bool ack = std::holds_alternative<protocol::ExecStdinAck>(envelope.message);
        if (ack && !with_stdin_acks) continue;
        return envelope;
      }
      uint64_t now = os::monotonic_ns();
      if (now >= deadline) return err(ErrorKind::kTimeout, "no frame from the agent in time");
      pollfd pfd{channel_.get(), POLLIN, 0};
      int ready = MSB_TRY(os::poll_fds(std::span(&pfd, 1), int((deadline - now) / 1'000'000) + 1));
      if (ready == 0) continue;
      char buffer[65536];
      size_t n = MSB_TRY(os::read_some(channel_.get(), buffer));
      if (n == 0) {
        return err(ErrorKind::kProtocol, "agent closed the channel{}",
                   reader_.mid_frame() ? " mid-frame" : "");
      }
      reader_.feed(std::string_view(buffer, n));
    }
  }

  // Waits for core.ready, which must be the first frame.
  Result<protocol::CoreReady> wait_ready(milliseconds timeout = kAgentTimeout) {
    protocol::Envelope first = MSB_TRY(next(timeout));
    auto* ready = std::get_if<protocol::CoreReady>(&first.message);
    if (!ready || first.id != 0) {
      return err(ErrorKind::kProtocol, "first frame was {} with id {}, not core.ready with id 0",
                 protocol::message_name(first.message), first.id);
    }
    return *ready;
  }

  // Collects session `id` until its terminal frame; other ids are kept for next().
  Result<SessionEvents> collect(uint32_t id, milliseconds timeout = kAgentTimeout) {
    uint64_t deadline = os::monotonic_ns() + uint64_t(timeout.count()) * 1'000'000;
    std::deque<protocol::Envelope> others;
    SessionEvents events;
    Result<void> done = [&]() -> Result<void> {
      for (;;) {
        uint64_t now = os::monotonic_ns();
        if (now >= deadline) return err(ErrorKind::kTimeout, "session {} did not end in time", id);
        protocol::Envelope envelope = MSB_TRY(next(milliseconds((deadline - now) / 1'000'000 + 1)));
        if (envelope.id != id) {
          others.push_back(std::move(envelope));
          continue;
        }
        record(events, envelope);
        if (envelope.flags & protocol::kFlagTerminal) return {};
      }
    }();
    pending_.insert(pending_.begin(), others.begin(), others.end());
    MSB_TRY(std::move(done));
    return events;
  }

  // Sends an exec.request as session `id` and collects the session.
  Result<SessionEvents> run(uint32_t id, protocol::ExecRequest request,
                            milliseconds timeout = kAgentTimeout) {
    MSB_TRY(send(id, protocol::kFlagSessionStart, request));
    return collect(id, timeout);
  }

  // Sends `data` to session `id` as exec.stdin frames of `frame_bytes`, then eof, never
  // more than the agent's stdin window ahead of its acknowledgements, and collects the
  // session meanwhile (single-threaded: the agent always reads a host that keeps to it).
  Result<SessionEvents> pipe_stdin(uint32_t id, const std::string& data, size_t frame_bytes,
                                   milliseconds timeout) {
    uint64_t deadline = os::monotonic_ns() + uint64_t(timeout.count()) * 1'000'000;
    SessionEvents events;
    uint64_t sent_cost = 0;
    size_t at = 0;
    bool eof_sent = false;
    for (;;) {
      while (!eof_sent) {
        protocol::ExecStdin frame{{data.substr(at, frame_bytes)}, at >= data.size()};
        uint64_t cost = protocol::flow_cost(frame);
        if (sent_cost + cost - stdin_acked(id) > protocol::kStdinWindowBytes) break;
        MSB_TRY(send(id, 0, frame));
        sent_cost += cost;
        at += frame.data.data.size();
        eof_sent = frame.eof;
      }
      uint64_t now = os::monotonic_ns();
      if (now >= deadline) return err(ErrorKind::kTimeout, "session {} did not end in time", id);
      protocol::Envelope envelope =
          MSB_TRY(next_frame(milliseconds((deadline - now) / 1'000'000 + 1), true));
      if (envelope.id != id)
        return err(ErrorKind::kProtocol, "a frame for session {}", envelope.id);
      if (std::holds_alternative<protocol::ExecStdinAck>(envelope.message)) continue;
      record(events, envelope);
      if (envelope.flags & protocol::kFlagTerminal) return events;
    }
  }

  // Sends fs.stat for `path` as request `id` and collects the reply.
  Result<SessionEvents> stat(uint32_t id, std::string path, milliseconds timeout = kAgentTimeout) {
    MSB_TRY(send(id, protocol::kFlagSessionStart, protocol::FsStat{std::move(path)}));
    return collect(id, timeout);
  }

 private:
  AgentClient(os::ChildProcess agent, os::Fd channel)
      : agent_(std::move(agent)),
        channel_(std::move(channel)),
        send_mutex_(std::make_unique<std::mutex>()) {}

  // Flow control of a frame just decoded: stdin credit back, output acknowledged.
  Result<void> account(const protocol::Envelope& envelope) {
    if (auto* ack = std::get_if<protocol::ExecStdinAck>(&envelope.message))
      stdin_acked_[envelope.id] += ack->bytes;
    uint64_t cost = protocol::flow_cost(envelope.message);
    if (auto_ack_ && cost > 0) MSB_TRY(acknowledge(envelope.id, cost));
    return {};
  }

  static Result<protocol::Envelope> decode(const protocol::FrameReader::Item& item) {
    if (item.error) {
      return err(ErrorKind::kProtocol, "bad frame from agent: {}", item.error->message);
    }
    tl::expected<protocol::Message, protocol::CoreError> message =
        protocol::decode_body(item.frame->body);
    if (!message) {
      return err(ErrorKind::kProtocol, "bad body from agent: {}", message.error().message);
    }
    return protocol::Envelope{item.frame->id, item.frame->flags, std::move(*message)};
  }

  static void record(SessionEvents& events, const protocol::Envelope& envelope) {
    const protocol::Message& message = envelope.message;
    events.order.emplace_back(protocol::message_name(message));
    events.terminal_flags = envelope.flags;
    if (auto* started = std::get_if<protocol::ExecStarted>(&message)) events.started = *started;
    if (auto* out = std::get_if<protocol::ExecStdout>(&message)) {
      events.stdout_data += out->data.data;
      events.largest_chunk = std::max(events.largest_chunk, out->data.data.size());
    }
    if (auto* chunk = std::get_if<protocol::ExecStderr>(&message)) {
      events.stderr_data += chunk->data.data;
      events.largest_chunk = std::max(events.largest_chunk, chunk->data.data.size());
    }
    if (auto* exited = std::get_if<protocol::ExecExited>(&message)) events.exited = *exited;
    if (auto* failed = std::get_if<protocol::ExecFailed>(&message)) events.failed = *failed;
    if (auto* error = std::get_if<protocol::CoreError>(&message)) events.error = *error;
    if (auto* stat = std::get_if<protocol::FsStatResult>(&message)) events.stat_result = *stat;
    if (auto* fs_error = std::get_if<protocol::FsError>(&message)) events.fs_error = *fs_error;
  }

  os::ChildProcess agent_;
  os::Fd channel_;
  std::unique_ptr<std::mutex> send_mutex_;
  bool auto_ack_ = true;
  std::map<uint32_t, uint64_t> stdin_acked_;
  protocol::FrameReader reader_;
  std::deque<protocol::Envelope> pending_;
};

// The fixture of most channel tests: a fresh msb-agentd that has said core.ready, and a
// temp dir of the test's own (removed after it).
class ReadyAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<AgentClient> client = AgentClient::start(MSB_AGENTD_PATH);
    ASSERT_TRUE(client.has_value()) << client.error().message;
    client_.emplace(std::move(*client));
    Result<protocol::CoreReady> ready = client_->wait_ready();
    ASSERT_TRUE(ready.has_value()) << ready.error().message;
    Result<os::TempDir> dir = os::TempDir::create("msb-agent-test-");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
  }

  std::optional<AgentClient> client_;
  std::optional<os::TempDir> dir_;
};

// An exec.request for `cmd args...` with the agent's defaults otherwise.
inline protocol::ExecRequest exec_request(std::string cmd, std::vector<std::string> args = {}) {
  protocol::ExecRequest request;
  request.cmd = std::move(cmd);
  request.args = std::move(args);
  return request;
}

// True when process or thread `id` sleeps in a blocking call (state S): for a process that
// only writes, blocked on a full pipe or socket.
inline bool sleeping(pid_t id) {
  std::optional<os::ProcessStat> stat = os::ProcessStat::read(id);
  return stat && stat->state == 'S';
}

// A counter of /proc/<pid>/io ("rchar": bytes read by any call); -1 when unreadable.
inline long long io_counter(pid_t pid, const std::string& name) {
  Result<std::string> io = os::read_file("/proc/" + std::to_string(pid) + "/io");
  size_t at = io ? io->find(name + ": ") : std::string::npos;
  return at == std::string::npos ? -1 : std::stoll(io->substr(at + name.size() + 2));
}

// True once `pid` no longer exists or is a zombie, waiting up to `timeout`.
inline bool process_gone(pid_t pid, milliseconds timeout = milliseconds(5000)) {
  return wait_until(
      [&] {
        std::optional<os::ProcessStat> stat = os::ProcessStat::read(pid);
        return !stat || !stat->alive();
      },
      timeout, milliseconds(20));
}

}  // namespace msb::testing
