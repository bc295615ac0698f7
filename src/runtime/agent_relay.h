// AgentRelay: shares one agent channel among many clients of agent.sock. Each client gets
// a slot; its request ids (below 2^20) travel to the agent as (slot << 20 | id), and the
// agent's replies are routed back by the slot in their id. Slot 0 is the supervisor's own.
//
// Flow control (docs/protocol.md): the agent is always read, whatever a client does. The
// per-session credit windows bound what each client can have queued here: the agent sends
// a session at most a window of output its client has not acknowledged, and a client may
// have at most a window of exec.stdin unacknowledged. A client that breaks either bound
// (sends stdin past its window, or lets more queue up here than its sessions' windows and
// some control frames) is disconnected with a core.error kind "credit-exceeded", and its
// sessions are cancelled. Clients are not read while the agent is behind.
// Single-threaded.
#pragma once

#include <poll.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "protocol/connection.h"
#include "protocol/flow_control.h"
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
  std::vector<std::string> dropped_clients;  // why clients were disconnected (flow control)
};

// The credit windows the agent advertised in core.ready (0 there: the protocol's).
struct RelayWindows {
  uint64_t stdin = protocol::kStdinWindowBytes;
  uint64_t output = protocol::kOutputWindowBytes;
};
RelayWindows relay_windows(const protocol::CoreReady& ready);

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
  AgentRelay(protocol::FrameConnection agent, std::string sandbox_name, RelayObserver* observer,
             RelayWindows windows = {})
      : agent_(std::move(agent)),
        sandbox_name_(std::move(sandbox_name)),
        observer_(observer),
        windows_(windows) {}

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
    size_t sessions = 0;      // its sessions in active_
    std::string drop_reason;  // set: it broke flow control and is dropped at the end of handle()
  };

  void from_agent(const protocol::Frame& frame, RelayEvents& events);
  void from_client(uint32_t slot, Client& client, protocol::Frame frame, RelayEvents& events);
  // Counts a client's exec.stdin against its session's window; false when it does not fit.
  bool spend_stdin(uint32_t session, const protocol::Message& message);
  void end_session(uint32_t session);
  // What a client may have queued: its sessions' output windows and room for control frames.
  size_t queue_limit(const Client& client) const;
  void drop_misbehaving(RelayEvents& events);
  Result<void> check_session(uint32_t slot, const protocol::Frame& frame,
                             const protocol::Message& message) const;
  bool slot_busy(uint32_t slot) const;
  bool refuse_session(uint32_t slot, Client& client, const protocol::Frame& frame,
                      const protocol::Message& message);
  void observe(uint32_t session, const protocol::Message& message);
  // Cancels the client's open sessions (core.cancel, whatever their family) and forgets it.
  void drop_client(uint32_t slot);
  bool agent_behind() const;

  protocol::FrameConnection agent_;
  std::string sandbox_name_;
  RelayObserver* observer_;
  RelayWindows windows_;
  std::map<uint32_t, Client> clients_;
  // Agent-side ids of open client sessions, with the exec.stdin each has in flight.
  std::map<uint32_t, protocol::CreditWindow> active_;
  uint32_t next_slot_ = 1;
  bool draining_ = false;
  std::vector<uint32_t> poll_order_;  // slots in the order their fds were added
};

}  // namespace msb::runtime
