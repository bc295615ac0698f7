// A sandbox's network: the policy in front of it, published ports, DNS and limits.
//
//   auto network = microsandbox::Network::preset("none")
//                      .allow("api.example.com", "tcp", "443")
//                      .rule("allow:ingress@any")
//                      .publish(8080, 80);
//   auto sandbox = microsandbox::Sandbox::builder("job").network(network).create();
//
// The policy is a list of rules, first match wins: the user's rules, then the preset's, then
// a final deny. Presets: "public" (the default: the public internet, nothing private, local,
// link-local, metadata or on the host), "all", "none". Rules use the grammar of
// `msb --net-rule`:
//
//   <allow|deny>[:egress|ingress|any]@<target>[:tcp|udp|icmp|any[:PORT|LO-HI|any]]
//
// with targets any, public, private, loopback, link-local, meta, multicast, host, an IPv4
// address or block, an IPv6 one in brackets, a domain (matching the addresses the sandbox
// resolved it to) or *.suffix. See docs/design/networking.md.
//
// Nothing here throws or checks: SandboxBuilder::create() validates the whole network and
// throws Error kInvalidConfig naming what is wrong before anything is created. A Network is
// a plain value: copy it freely; not thread-safe to modify from two threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "microsandbox/export.h"

namespace microsandbox {

class MSB_EXPORT Network {
 public:
  // The "public" preset, no rules, no published ports, the host's DNS resolvers with
  // rebinding protection, no rate limits and at most 256 connections.
  Network();
  // `name` is "public", "all" or "none".
  static Network preset(std::string name);

  Network(const Network& other);
  Network& operator=(const Network& other);
  Network(Network&&) noexcept;
  Network& operator=(Network&&) noexcept;
  ~Network();

  // One rule or several, comma-separated, in the grammar above; appended in order.
  Network& rule(std::string text);
  // allow@<target>[:<protocol>[:<ports>]] for egress: target as in the grammar (an IPv6
  // address may be given without brackets), protocol "tcp", "udp", "icmp" or "any", ports
  // "443", "8000-8080" or "any".
  Network& allow(std::string target, std::string protocol = "any", std::string ports = "any");
  // deny@<target>[:<protocol>[:<ports>]], as allow().
  Network& deny(std::string target, std::string protocol = "any", std::string ports = "any");

  // Connections to 127.0.0.1:host_port on the host go to guest_port in the sandbox.
  Network& publish(uint16_t host_port, uint16_t guest_port);
  // The same for UDP datagrams.
  Network& publish_udp(uint16_t host_port, uint16_t guest_port);
  // The same on host address `bind` ("0.0.0.0", "::1" or "[::1]", ...).
  Network& publish_on(std::string bind, uint16_t host_port, uint16_t guest_port, bool udp = false);

  // An upstream DNS server, "IP", "IP:PORT" or "[IPv6]:PORT"; tried in the order added.
  // Default: the host's resolvers.
  Network& dns_nameserver(std::string server);
  // Whether answers that point a name at a private, loopback, link-local or metadata
  // address are dropped unless a rule allows that address explicitly. Default: on.
  Network& rebinding_protection(bool on);
  // How long one upstream DNS query may take (1 ms to 60 s). Default: 5 s.
  Network& dns_query_timeout(std::chrono::milliseconds timeout);

  // Token-bucket limits per direction; 0 is unlimited. Egress is guest -> world.
  Network& egress_limit(uint64_t bytes_per_second, uint64_t packets_per_second = 0);
  Network& ingress_limit(uint64_t bytes_per_second, uint64_t packets_per_second = 0);
  // How far above the rate a burst may go; 0 (the default) is one second's worth.
  Network& egress_burst(uint64_t bytes, uint64_t packets = 0);
  Network& ingress_burst(uint64_t bytes, uint64_t packets = 0);
  // Most concurrent TCP connections (both directions; UDP flows are not counted), 1 to
  // 65536; a connect over it gets a reset. Default: 256.
  Network& max_connections(uint32_t count);

  struct Impl;  // opaque: defined by the SDK's implementation

 private:
  std::unique_ptr<Impl> impl_;
  friend struct NetworkAccess;  // the SDK's implementation, which reads the settings
};

}  // namespace microsandbox
