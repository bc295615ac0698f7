// The agent's "net" option (agent/guest_network.h), built from a GuestNetworkSpec: the one
// place both engines turn the sandbox's addresses into text the guest parses.
#pragma once

#include <string>

#include "engine/engine.h"

namespace msb::engine {

// "IPV4/PREFIX,GATEWAY4,MTU[,IPV6/PREFIX,GATEWAY6]".
// SECURITY: this value goes on the kernel command line, where a space or quote would start
// a parameter of its own: every character is checked to be a hex digit or . : / (MSB_CHECK;
// the addresses are the runtime's own, never a user's text).
std::string agent_network_option(const GuestNetworkSpec& network);

// MSB_CHECK that `mac` is six two-digit hex groups joined by ':'.
void check_mac(const std::string& mac);

}  // namespace msb::engine
