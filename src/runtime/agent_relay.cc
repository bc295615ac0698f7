#include "runtime/agent_relay.h"

#include <fmt/format.h>

#include "protocol/requests.h"

namespace msb::runtime {
namespace {

// An agent with this much unsent data stops the clients from being read.
constexpr size_t kBehindBytes = 8u << 20;
// What a client may have queued beyond its sessions' output windows: control frames
// (pongs, exec.stdin_ack, replies) and the last frame that crossed a window.
constexpr size_t kClientQueueSlack = 4u << 20;

uint32_t slot_of(uint32_t agent_id) { return agent_id >> kClientIdBits; }
uint32_t agent_id(uint32_t slot, uint32_t client_id) { return (slot << kClientIdBits) | client_id; }

void reply(protocol::FrameConnection& connection, uint32_t id, const protocol::Message& message) {
  (void)connection.send(id, protocol::kFlagTerminal, message);
}

}  // namespace

RelayWindows relay_windows(const protocol::CoreReady& ready) {
  RelayWindows windows;
  if (ready.stdin_window != 0) windows.stdin = ready.stdin_window;
  if (ready.output_window != 0) windows.output = ready.output_window;
  return windows;
}

Result<void> AgentRelay::add_client(os::Fd fd, const protocol::CoreReady& hello) {
  if (clients_.size() >= kMaxClients)
    return err(ErrorKind::kUnsupported, "too many clients ({})", clients_.size());
  // A slot whose killed sessions have not ended yet stays out of use: their last frames
  // must not reach a new client.
  for (uint32_t tries = 0; slot_busy(next_slot_) || next_slot_ == 0; ++tries) {
    if (tries > kMaxClients) return err(ErrorKind::kUnsupported, "no free client slot");
    next_slot_ = next_slot_ >= kMaxClients ? 1 : next_slot_ + 1;
  }
  protocol::FrameConnection connection = MSB_TRY(protocol::FrameConnection::create(std::move(fd)));
  MSB_TRY(connection.send(0, 0, hello));
  clients_.emplace(next_slot_, Client{std::move(connection)});
  next_slot_ = next_slot_ >= kMaxClients ? 1 : next_slot_ + 1;
  return {};
}

bool AgentRelay::agent_behind() const { return agent_.queued_bytes() > kBehindBytes; }

size_t AgentRelay::queue_limit(const Client& client) const {
  return kClientQueueSlack + client.sessions * windows_.output;
}

void AgentRelay::add_poll_fds(std::vector<pollfd>& fds) {
  // The agent is always read: one client that does not read must not stop the others.
  short agent_events = POLLIN;
  if (agent_.wants_write()) agent_events |= POLLOUT;
  fds.push_back({agent_.fd(), agent_events, 0});
  poll_order_.clear();
  bool read_clients = !agent_behind();
  for (auto& [slot, client] : clients_) {
    short events = read_clients && client.open ? POLLIN : 0;
    if (client.connection.wants_write()) events |= POLLOUT;
    fds.push_back({client.connection.fd(), events, 0});
    poll_order_.push_back(slot);
  }
}

Result<RelayEvents> AgentRelay::handle(const std::vector<pollfd>& fds, size_t first) {
  RelayEvents events;
  const pollfd& agent_fd = fds[first];
  if (agent_fd.revents & POLLOUT) MSB_TRY(agent_.flush_some());
  if (agent_fd.revents & (POLLIN | POLLHUP | POLLERR)) {
    bool open = MSB_TRY(agent_.receive_some());
    while (auto item = agent_.next_frame()) {
      if (item->frame) from_agent(*item->frame, events);
    }
    if (!open) events.agent_closed = true;
  }
  for (size_t i = 0; i < poll_order_.size(); ++i) {
    uint32_t slot = poll_order_[i];
    auto found = clients_.find(slot);
    if (found == clients_.end()) continue;
    Client& client = found->second;
    short revents = fds[first + 1 + i].revents;
    bool failed = false;
    // Read before writing: a client may send its last request and leave at once, and what
    // it sent must be acted on even though our reply can no longer be delivered.
    if (revents & (POLLIN | POLLHUP | POLLERR)) {
      Result<bool> open = client.connection.receive_some();
      while (auto item = client.connection.next_frame()) {
        if (item->frame) {
          from_client(slot, client, std::move(*item->frame), events);
        } else {
          reply(client.connection, item->error->id,
                protocol::CoreError{"malformed", item->error->message, ""});
        }
      }
      failed = !open || !*open;
    }
    if (!failed && (revents & POLLOUT)) failed = !client.connection.flush_some();
    if (failed) drop_client(slot);
  }
  drop_misbehaving(events);
  return events;
}

void AgentRelay::drop_misbehaving(RelayEvents& events) {
  std::vector<uint32_t> dropped;
  for (auto& [slot, client] : clients_) {
    if (client.drop_reason.empty()) continue;
    // Said once, as far as the client still reads; then it goes.
    (void)client.connection.send(0, protocol::kFlagTerminal,
                                 protocol::CoreError{"credit-exceeded", client.drop_reason, ""});
    (void)client.connection.flush_some();
    events.dropped_clients.push_back(client.drop_reason);
    dropped.push_back(slot);
  }
  for (uint32_t slot : dropped) drop_client(slot);
}

void AgentRelay::from_agent(const protocol::Frame& frame, RelayEvents& events) {
  uint32_t slot = slot_of(frame.id);
  tl::expected<protocol::Message, protocol::CoreError> message = protocol::decode_body(frame.body);
  if (slot == 0) {
    if (message) events.own_frames.push_back({frame.id, frame.flags, std::move(*message)});
    return;
  }
  if (message) {
    if (observer_) observe(frame.id, *message);
    if (auto* ack = std::get_if<protocol::ExecStdinAck>(&*message)) {
      if (auto it = active_.find(frame.id); it != active_.end()) it->second.acknowledge(ack->bytes);
    }
  }
  if (frame.flags & protocol::kFlagTerminal) end_session(frame.id);
  auto found = clients_.find(slot);
  if (found == clients_.end()) return;  // its client left; the session was cancelled
  Client& client = found->second;
  client.connection.send_frame(
      protocol::encode_frame({frame.id & kClientIdMask, frame.flags, frame.body}));
  // The agent keeps each session's unacknowledged output within its window, so only a
  // client that does not read (and ignores what it was sent) gets this far behind.
  if (client.drop_reason.empty() && client.connection.queued_bytes() > queue_limit(client)) {
    client.drop_reason =
        fmt::format("the client has {} bytes unread, more than its {} open sessions' windows allow",
                    client.connection.queued_bytes(), client.sessions);
  }
}

void AgentRelay::end_session(uint32_t session) {
  if (active_.erase(session) == 0) return;
  if (auto found = clients_.find(slot_of(session)); found != clients_.end())
    --found->second.sessions;
}

void AgentRelay::observe(uint32_t session, const protocol::Message& message) {
  if (auto* out = std::get_if<protocol::ExecStdout>(&message)) {
    observer_->on_output(session, "stdout", out->data.data);
  } else if (auto* err_out = std::get_if<protocol::ExecStderr>(&message)) {
    observer_->on_output(session, "stderr", err_out->data.data);
  } else if (auto* exited = std::get_if<protocol::ExecExited>(&message)) {
    observer_->on_exit(session, *exited);
  }
}

void AgentRelay::from_client(uint32_t slot, Client& client, protocol::Frame frame,
                             RelayEvents& events) {
  if (!client.drop_reason.empty()) return;  // it is being dropped: nothing more goes through
  if (frame.id > kClientIdMask) {
    reply(client.connection, frame.id,
          protocol::CoreError{"invalid-session",
                              "request id " + std::to_string(frame.id) + " is over " +
                                  std::to_string(kClientIdMask),
                              ""});
    return;
  }
  // Every frame is decoded: the agent acts on bodies, not flags, so a check on flags alone
  // could be walked around.
  bool starts = frame.flags & protocol::kFlagSessionStart;
  tl::expected<protocol::Message, protocol::CoreError> message = protocol::decode_body(frame.body);
  if (message) {
    if (std::holds_alternative<protocol::CoreShutdown>(*message)) {
      events.shutdown_requested = true;
      return;
    }
    if (Result<void> valid = check_session(slot, frame, *message); !valid) {
      reply(client.connection, frame.id,
            protocol::CoreError{"invalid-session", valid.error().message, ""});
      return;
    }
    if (refuse_session(slot, client, frame, *message)) return;
    if (!spend_stdin(agent_id(slot, frame.id), *message)) {
      client.drop_reason = fmt::format("session {} sent more exec.stdin than its {} byte window",
                                       frame.id, windows_.stdin);
      return;
    }
    if (observer_) {
      if (auto* request = std::get_if<protocol::ExecRequest>(&*message))
        observer_->on_request(agent_id(slot, frame.id), *request);
    }
  }
  uint32_t id = agent_id(slot, frame.id);
  if (starts) {
    active_.emplace(id, protocol::CreditWindow(windows_.stdin));
    ++client.sessions;
  }
  frame.id = id;
  agent_.send_frame(protocol::encode_frame(frame));
}

// A client that ignores its window would make the agent stop reading the channel (its
// backstop) for every client: it is dropped instead.
bool AgentRelay::spend_stdin(uint32_t session, const protocol::Message& message) {
  if (!std::holds_alternative<protocol::ExecStdin>(message)) return true;
  auto it = active_.find(session);
  if (it == active_.end()) return true;  // the agent answers (or ignores) it without holding it
  uint64_t cost = protocol::flow_cost(message);
  if (!it->second.fits(cost)) return false;
  it->second.spend(cost);
  return true;
}

// Requests open sessions and must say so; an id may not be reused while its session runs
// (the agent's refusal would end our tracking of the running one).
Result<void> AgentRelay::check_session(uint32_t slot, const protocol::Frame& frame,
                                       const protocol::Message& message) const {
  bool request = protocol::opens_session(message);
  bool starts = frame.flags & protocol::kFlagSessionStart;
  if (request && !starts)
    return err(ErrorKind::kProtocol, "request id {} lacks the session-start flag", frame.id);
  if (starts && active_.contains(agent_id(slot, frame.id)))
    return err(ErrorKind::kProtocol, "session id {} is still in use", frame.id);
  return {};
}

bool AgentRelay::slot_busy(uint32_t slot) const {
  if (clients_.contains(slot)) return true;
  auto next = active_.lower_bound(agent_id(slot, 0));
  return next != active_.end() && slot_of(next->first) == slot;
}

bool AgentRelay::refuse_session(uint32_t, Client& client, const protocol::Frame& frame,
                                const protocol::Message& message) {
  if (!draining_ || !std::holds_alternative<protocol::ExecRequest>(message)) return false;
  reply(client.connection, frame.id,
        protocol::ExecFailed{"draining", 0,
                             "sandbox '" + sandbox_name_ +
                                 "' is draining: running commands finish, new ones are refused"});
  return true;
}

void AgentRelay::drop_client(uint32_t slot) {
  // What a client that went away started would go on unseen: processes would run, files
  // would stay open. Each session still ends with its terminal frame, which frees the id.
  for (auto it = active_.lower_bound(agent_id(slot, 0)); it != active_.end(); ++it) {
    if (slot_of(it->first) != slot) break;
    (void)agent_.send(it->first, 0, protocol::CoreCancel{});
  }
  clients_.erase(slot);
}

}  // namespace msb::runtime
