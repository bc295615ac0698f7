// The namespace engine's network card: a TAP device named eth0 inside the sandbox's network
// namespace, configured from the host side (the agent runs without CAP_NET_ADMIN), whose
// fd the supervisor keeps and feeds to its user-space network stack.
#pragma once

#include <optional>
#include <string>

#include "common/error.h"
#include "engine/engine.h"

namespace msb::engine::ns {

// Enters the network namespace of the process whose /proc directory is `proc` (on a thread
// of its own: setns moves only the calling thread), brings lo up and, when `network` is
// set, creates eth0 as a TAP device with its addresses and default routes. Returns the
// TAP's fd, or nullopt without `network`.
Result<std::optional<NetworkEndpoint>> set_up_sandbox_network(
    const std::string& proc, const std::optional<GuestNetworkSpec>& network);

}  // namespace msb::engine::ns
