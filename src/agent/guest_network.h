// The sandbox's network as the guest sees it: eth0's addresses and routes (set by the agent
// in a VM; by the host in the namespace engine, whose agent lacks CAP_NET_ADMIN), and the
// resolver files every program reads (/etc/resolv.conf, /etc/hosts), written by the agent
// in both engines. The values come from the host; the image needs no network tool.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "os/net_interface.h"

namespace msb::agent {

// The name programs use to reach the host: the gateway (policy group "host").
inline constexpr std::string_view kHostAlias = "host.microsandbox.internal";

struct GuestNetwork {
  os::InterfaceSettings eth0;
};

// The agent's "net" option: os::parse_interface_settings.
Result<GuestNetwork> parse_guest_network(std::string_view text);

// lo up, then eth0 from `network`. VM only (needs CAP_NET_ADMIN).
Result<void> configure_guest_interfaces(const GuestNetwork& network);

// /etc/resolv.conf names the gateway (the supervisor's DNS interceptor) as the only
// nameserver; /etc/hosts gains a block mapping kHostAlias to the gateway, replaced on each
// boot. A symlinked resolv.conf (systemd-resolved images) is replaced by a file.
Result<void> write_resolver_files(const GuestNetwork& network, const std::string& etc_dir = "/etc");

// The texts written, for tests.
std::string resolv_conf_text(const GuestNetwork& network);
std::string hosts_text(std::string_view existing, const GuestNetwork& network);

}  // namespace msb::agent
