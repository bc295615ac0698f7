#include "agent/guest_network.h"

#include <arpa/inet.h>

#include <vector>

#include "common/split.h"
#include "os/file.h"

namespace msb::agent {
namespace {

constexpr std::string_view kHostsBegin = "# microsandbox: begin (rewritten at each boot)";
constexpr std::string_view kHostsEnd = "# microsandbox: end";

std::string address_text(int family, const void* address) {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(family, address, text, sizeof text);
  return text;
}

}  // namespace

Result<GuestNetwork> parse_guest_network(std::string_view text) {
  return GuestNetwork{MSB_TRY(os::parse_interface_settings(text))};
}

Result<void> configure_guest_interfaces(const GuestNetwork& network) {
  MSB_TRY(os::set_link_up("lo"));
  return os::configure_interface("eth0", network.eth0);
}

std::string resolv_conf_text(const GuestNetwork& network) {
  // One nameserver: the interceptor answers on the gateway for both address families.
  // edns0: answers up to 1232 bytes come over UDP instead of being truncated, since the
  // interceptor does not take DNS over TCP yet.
  return "# written by microsandbox at boot: the sandbox's DNS goes through its supervisor\n"
         "nameserver " +
         address_text(AF_INET, &network.eth0.gateway_v4) + "\noptions edns0\n";
}

std::string hosts_text(std::string_view existing, const GuestNetwork& network) {
  std::string out;
  bool inside = false;
  for (std::string_view line : split(existing, '\n')) {
    if (line == kHostsBegin) inside = true;
    bool skip = inside || (line.empty() && out.empty());
    if (line == kHostsEnd) inside = false;
    if (!skip) out.append(line).append("\n");
  }
  while (out.ends_with("\n\n")) out.pop_back();
  if (out == "\n") out.clear();
  out.append(kHostsBegin).append("\n");
  out += address_text(AF_INET, &network.eth0.gateway_v4) + " " + std::string(kHostAlias) + "\n";
  if (network.eth0.ipv6)
    out += address_text(AF_INET6, &network.eth0.gateway_v6) + " " + std::string(kHostAlias) + "\n";
  out.append(kHostsEnd).append("\n");
  return out;
}

Result<void> write_resolver_files(const GuestNetwork& network, const std::string& etc_dir) {
  MSB_TRY(os::make_dirs(etc_dir));
  // A symlink (to systemd-resolved's stub file, say) is replaced, not followed.
  std::string resolv = etc_dir + "/resolv.conf";
  MSB_TRY(os::remove_file(resolv));
  MSB_TRY(os::write_file(resolv, resolv_conf_text(network)));
  std::string hosts = etc_dir + "/hosts";
  std::string existing = os::read_file(hosts).value_or("");
  // Rewritten at every boot: a crash before the next one loses nothing.
  return os::write_file_atomic(hosts, hosts_text(existing, network), 0644,
                               os::Durability::kProcessCrash);
}

}  // namespace msb::agent
