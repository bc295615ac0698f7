// AgentRelay: shares one agent channel among many clients of agent.sock. Each client gets
// a slot; its request ids (below 2^20) travel to the agent as (slot << 20 | id), and the
// agent's replies are routed back by the slot in their id. Slot 0 is the supervisor's own.
// Single-threaded; memory stays bounded because nobody is read while a peer is behind.
#pragma once

#include <poll.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "protocol/connection.h"
#include "protocol/messages.h"

namespace msb::runtime {

inline constexpr uint32_t kClientIdBits = 20;
inline constexpr uint32_t kClientIdMask = (1u << kClientIdBits) - 1;
inline constexpr uint32_t kMaxClients = (1u << (32 - kClientIdBits)) - 1;

// What the relay saw that the supervisor must act on.
struct RelayEvents {
  bool shutdown_requested = false;             // a client sent core.shutdown
  std::vector<protocol::Envelope> own_frames;  // agent frames for slot 0
  bool agent_closed = false;
};

// Observes session traffic, for the exec log. `session` is the agent-side id.
class RelayObserver {
 public:
  virtual ~RelayObserver() = default;
  virtual void on_request(uint32_t session, const protocol::ExecRequest& request) = 0;
  virtual void on_output(uint32_t session, const char* stream, std::string_view data) = 0;
  virtual void on_exit(uint32_t session, const protocol::ExecExited& exited) = 0;
};

class AgentRelay {
 public:
  AgentRelay(protocol::FrameConnection agent, std::string sandbox_name, RelayObserver* observer)
      : agent_(std::move(agent)), sandbox_name_(std::move(sandbox_name)), observer_(observer) {}

  protocol::FrameConnection& agent() { return agent_; }
  // Adds a connected client and greets it with `hello` (id 0). kUnsupported when full.
  Result<void> add_client(os::Fd fd, const protocol::CoreReady& hello);
  size_t client_count() const { return clients_.size(); }
  // Sessions opened by clients whose terminal frame has not come back yet.
  size_t active_sessions() const { return active_.size(); }
  // From now on new exec requests are refused (drain).
  void set_draining() { draining_ = true; }

  // Appends the fds to poll; call handle() with the same vector after poll().
  void add_poll_fds(std::vector<pollfd>& fds);
  // Moves frames between the agent and the clients. Errors only for a failed agent channel.
  Result<RelayEvents> handle(const std::vector<pollfd>& fds, size_t first);

 private:
  struct Client {
    protocol::FrameConnection connection;
    bool open = true;
  };

  void from_agent(const protocol::Frame& frame, RelayEvents& events);
  void from_client(uint32_t slot, Client& client, protocol::Frame frame, RelayEvents& events);
  Result<void> check_session(uint32_t slot, const protocol::Frame& frame,
                             const protocol::Message& message) const;
  bool slot_busy(uint32_t slot) const;
  bool refuse_session(uint32_t slot, Client& client, const protocol::Frame& frame,
                      const protocol::Message& message);
  void observe(uint32_t session, const protocol::Message& message);
  void drop_client(uint32_t slot);
  bool agent_behind() const;
  bool clients_behind() const;

  protocol::FrameConnection agent_;
  std::string sandbox_name_;
  RelayObserver* observer_;
  std::map<uint32_t, Client> clients_;
  std::set<uint32_t> active_;  // agent-side ids of open client sessions
  uint32_t next_slot_ = 1;
  bool draining_ = false;
  std::vector<uint32_t> poll_order_;  // slots in the order their fds were added
};

}  // namespace msb::runtime
