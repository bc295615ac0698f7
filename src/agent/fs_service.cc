#include "agent/fs_service.h"

#include <algorithm>
#include <cerrno>
#include <string>
#include <type_traits>
#include <vector>

namespace msb::agent {
namespace {

// What one producing session may queue per turn: one whole fs.data chunk, small enough
// that several readers share the connection.
constexpr size_t kProduceBudget = kFsChunkBytes + protocol::kFrameCost;
// A session with less credit than this waits for the host's core.ack.
constexpr uint64_t kMinProduceCredit = 2 * protocol::kFrameCost;

void reply_core_error(protocol::FrameConnection& connection, uint32_t id, std::string kind,
                      std::string message, std::string_view type) {
  (void)connection.send(
      id, protocol::kFlagTerminal,
      protocol::CoreError{std::move(kind), std::move(message), std::string(type)});
}

}  // namespace

FsSession::State FsSession::produce(uint32_t, protocol::FrameConnection&, size_t) {
  return State::kOpen;
}

FsSession::State FsSession::receive(uint32_t, const protocol::Message&,
                                    protocol::FrameConnection&) {
  return State::kOpen;
}

void FsSession::send_counted(uint32_t id, protocol::FrameConnection& connection,
                             const protocol::Message& message) {
  credit_.spend(protocol::flow_cost(message));
  (void)connection.send(id, 0, message);  // fs.data and fs.list_entry always fit in a frame
}

bool is_fs_message(const protocol::Message& message) {
  return protocol::message_name(message).starts_with("fs.");
}

template <class Request>
void FsService::start(uint32_t id, const Request& request, protocol::FrameConnection& connection) {
  FsResult<std::unique_ptr<FsSession>> opened = open_fs_session(request);
  if (!opened) {
    (void)connection.send(id, protocol::kFlagTerminal, opened.error());
    // The host streams fs.data right after fs.write without waiting for a reply.
    if constexpr (std::is_same_v<Request, protocol::FsWrite>) discarding_.insert(id);
    return;
  }
  sessions_.emplace(id, std::move(*opened));
}

void FsService::handle_frame(uint32_t id, const protocol::Message& message, bool id_taken,
                             protocol::FrameConnection& connection) {
  std::string_view type = protocol::message_name(message);
  if (std::holds_alternative<protocol::FsData>(message) ||
      std::holds_alternative<protocol::FsClose>(message)) {
    receive_upload(id, message, connection);
    return;
  }
  bool is_request = std::visit(
      [](const auto& request) {
        return requires { run_fs_request(request); }
        || requires { open_fs_session(request); };
      },
      message);
  if (!is_request) {
    reply_core_error(connection, id, "unsupported-type", "the agent does not accept this message",
                     type);
    return;
  }
  // A terminal reply would end the live session's id for the host.
  if (id_taken || sessions_.contains(id)) {
    reply_core_error(connection, id, "invalid-session", "session id already in use", type);
    return;
  }
  discarding_.erase(id);  // the host has moved on from the failed write with this id
  std::visit(
      [&](const auto& request) {
        if constexpr (requires { run_fs_request(request); }) {
          (void)connection.send(id, protocol::kFlagTerminal, run_fs_request(request));
        } else if constexpr (requires { open_fs_session(request); }) {
          start(id, request, connection);
        }
      },
      message);
}

void FsService::receive_upload(uint32_t id, const protocol::Message& message,
                               protocol::FrameConnection& connection) {
  bool is_close = std::holds_alternative<protocol::FsClose>(message);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || !it->second->accepts_upload()) {
    if (it == sessions_.end() && discarding_.contains(id)) {
      if (is_close) discarding_.erase(id);
      return;
    }
    reply_core_error(connection, id, "invalid-session", "no fs.write session with this id",
                     protocol::message_name(message));
    return;
  }
  FsSession::State state = it->second->receive(id, message, connection);
  if (state == FsSession::State::kOpen) return;
  sessions_.erase(it);
  if (state == FsSession::State::kFailed && !is_close) discarding_.insert(id);
}

void FsService::acknowledge(uint32_t id, uint64_t bytes) {
  if (auto it = sessions_.find(id); it != sessions_.end()) it->second->acknowledge(bytes);
}

void FsService::cancel(uint32_t id, protocol::FrameConnection& connection) {
  if (discarding_.erase(id) > 0) return;  // its terminal fs.error was sent already
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  sessions_.erase(it);  // closes what it had open
  (void)connection.send(id, protocol::kFlagTerminal,
                        fs_failure("cancelled", ECANCELED, "cancelled by the host", ""));
}

bool FsService::wants_to_produce() const {
  for (const auto& [id, session] : sessions_) {
    if (session->produces() && session->credit_room() >= kMinProduceCredit) return true;
  }
  return false;
}

void FsService::produce(protocol::FrameConnection& connection, size_t high_water) {
  // Start after the session served last, so that every producer gets its turn even when
  // the first ones fill the connection each round.
  std::vector<uint32_t> order;
  auto ready = [](const FsSession& session) {
    return session.produces() && session.credit_room() >= kMinProduceCredit;
  };
  for (auto it = sessions_.upper_bound(last_produced_); it != sessions_.end(); ++it) {
    if (ready(*it->second)) order.push_back(it->first);
  }
  for (auto it = sessions_.begin(); it != sessions_.upper_bound(last_produced_); ++it) {
    if (ready(*it->second)) order.push_back(it->first);
  }
  for (uint32_t id : order) {
    if (connection.queued_bytes() >= high_water) return;
    auto it = sessions_.find(id);
    last_produced_ = id;
    size_t budget = std::min<uint64_t>(kProduceBudget, it->second->credit_room());
    if (it->second->produce(id, connection, budget) != FsSession::State::kOpen) {
      sessions_.erase(it);
    }
  }
}

}  // namespace msb::agent
