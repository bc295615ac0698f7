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
  net::UserNetworkSettings stack;
  net::PolicyFilterSettings filter;
};

// The plan for `config`. Errors: kInvalidConfig for a published port's bind address or a
// nameserver that does not parse (validate() refuses those earlier). Thread-safe.
[[nodiscard]] Result<NetworkPlan> network_plan_for(const config::SandboxConfig& config);

// Starts the stack behind `instance`'s card (nullptr when the sandbox has none). Errors: a
// published host port that is taken (kIo, EADDRINUSE). The network stops when the returned
// object is destroyed; it also ends by itself when the sandbox does.
[[nodiscard]] Result<std::unique_ptr<net::UserNetwork>> start_network(const NetworkPlan& plan,
                                                                      engine::Instance& instance);

}  // namespace msb::runtime
