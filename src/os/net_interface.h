// Network interfaces from the inside: bring a link up, give it addresses and default
// routes, open a TAP device, enter a network namespace. Used by the guest agent (eth0 and
// lo of a VM) and by the namespace engine (the sandbox's namespace, from the host side).
#pragma once

#include <string>

#include "common/error.h"
#include "os/fd.h"
#include "os/interface_settings.h"

namespace msb::os {

// Sets IFF_UP on `name` (e.g. "lo"). Errors: kNotFound (no such interface), kPermissionDenied.
Result<void> set_link_up(const std::string& name);

// Sets MTU, addresses, brings the link up and adds the default routes through the gateways.
// IPv6 duplicate address detection is switched off first (the only other host on the link
// is the user-space gateway), so the address is usable at once instead of after ~1 s.
// REQUIRES: CAP_NET_ADMIN in the interface's network namespace.
Result<void> configure_interface(const std::string& name, const InterfaceSettings& settings);

// Sets the Ethernet address of `name` ("02:6d:73:00:01:02"). Errors: kInvalidArgument for a
// malformed address, those of set_link_up otherwise. REQUIRES: the link is down.
Result<void> set_mac_address(const std::string& name, const std::string& mac);

// Creates (or attaches to) the TAP device `name` (Ethernet frames, no packet info header)
// in the calling thread's network namespace and returns its fd (O_CLOEXEC, non-blocking).
// The device is persistent: it outlives the fd and goes with its network namespace.
// Errors: kIo with EBUSY when another process holds the device, kPermissionDenied.
Result<Fd> open_tap(const std::string& name);

// Moves the calling thread into the network namespace `ns_fd` (setns). Only the calling
// thread moves: call it on a thread of its own.
Result<void> enter_network_namespace(int ns_fd);

}  // namespace msb::os
