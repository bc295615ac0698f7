// A sandbox's network from its config: the network card the engine attaches (addresses the
// agent applies), and the user-space stack and policy filter the supervisor runs behind
// it. Shared by the supervisor and a foreground `msb run`, so both get the same network.
#pragma once

#include <memory>
#include <optional>

#include "common/error.h"
#include "config/sandbox_config.h"
#include "engine/engine.h"
#include "net/policy_filter.h"
#include "net/user_network.h"

namespace msb::runtime {

// The card for a sandbox with `config`; nullopt when its network is disabled. Thread-safe.
std::optional<engine::GuestNetworkSpec> guest_network_for(const config::SandboxConfig& config);

// What runs behind that card.
struct NetworkPlan {
  bool enabled = false;  // false: no card, no stack (--no-net)
  net::UserNetworkSettings stack;
  net::PolicyFilterSettings filter;
};

// The plan for `config`. Errors: kInvalidConfig for a published port's bind address or a
// nameserver that does not parse (validate() refuses those earlier). Thread-safe.
[[nodiscard]] Result<NetworkPlan> network_plan_for(const config::SandboxConfig& config);

// The stack for `plan`, its ports published, before the sandbox starts (nullptr when the
// plan has no network). Errors: a published host port that is taken (kIo, EADDRINUSE), so
// a busy port fails before any VM or namespace exists. The network stops when the returned
// object is destroyed; once connected it also ends by itself when the sandbox does.
[[nodiscard]] Result<std::unique_ptr<net::UserNetwork>> prepare_network(const NetworkPlan& plan);

// Runs `network` (may be null) on `instance`'s card. Errors: kInternal when one of the two
// exists without the other.
[[nodiscard]] Result<void> connect_network(net::UserNetwork* network, engine::Instance& instance);

}  // namespace msb::runtime
