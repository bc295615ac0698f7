// microsandbox::Network: a fluent value over the texts and numbers of a network config.
#include "microsandbox/network.h"
#include "net/rule_grammar.h"
#include "sdk/network_impl.h"

namespace microsandbox {
namespace {

// "allow@[2001:db8::1]:tcp:443": brackets around an IPv6 target, protocol and ports only
// when they say something.
std::string rule_text(std::string_view action, const std::string& target,
                      const std::string& protocol, const std::string& ports) {
  const bool bare_v6 = target.find(':') != std::string::npos && !target.starts_with('[');
  std::string text = std::string(action) + "@" + (bare_v6 ? "[" + target + "]" : target);
  if (protocol != "any" || ports != "any") text += ":" + protocol;
  if (ports != "any") text += ":" + ports;
  return text;
}

}  // namespace

Network::Network() : impl_(std::make_unique<Impl>()) {}

Network Network::preset(std::string name) {
  Network network;
  network.impl_->preset = std::move(name);
  return network;
}

Network::Network(const Network& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
Network& Network::operator=(const Network& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}
Network::Network(Network&&) noexcept = default;
Network& Network::operator=(Network&&) noexcept = default;
Network::~Network() = default;

Network& Network::rule(std::string text) {
  impl_->rules.push_back(std::move(text));
  return *this;
}
Network& Network::allow(std::string target, std::string protocol, std::string ports) {
  return rule(rule_text("allow", target, protocol, ports));
}
Network& Network::deny(std::string target, std::string protocol, std::string ports) {
  return rule(rule_text("deny", target, protocol, ports));
}
Network& Network::publish(uint16_t host_port, uint16_t guest_port) {
  return publish_on("127.0.0.1", host_port, guest_port, false);
}
Network& Network::publish_udp(uint16_t host_port, uint16_t guest_port) {
  return publish_on("127.0.0.1", host_port, guest_port, true);
}
Network& Network::publish_on(std::string bind, uint16_t host_port, uint16_t guest_port, bool udp) {
  // "[::1]" as on the command line is "::1".
  if (bind.size() >= 2 && bind.front() == '[' && bind.back() == ']')
    bind = bind.substr(1, bind.size() - 2);
  impl_->ports.push_back({std::move(bind), host_port, guest_port, udp});
  return *this;
}
Network& Network::dns_nameserver(std::string server) {
  impl_->dns.nameservers.push_back(std::move(server));
  return *this;
}
Network& Network::rebinding_protection(bool on) {
  impl_->dns.rebinding_protection = on;
  return *this;
}
Network& Network::dns_query_timeout(std::chrono::milliseconds timeout) {
  // Out-of-range values become 0, which create() refuses with the allowed range.
  const auto ms = timeout.count();
  impl_->dns.query_timeout_ms = ms > 0 && ms <= UINT32_MAX ? static_cast<uint32_t>(ms) : 0;
  return *this;
}
Network& Network::egress_limit(uint64_t bytes_per_second, uint64_t packets_per_second) {
  impl_->egress.bytes_per_second = bytes_per_second;
  impl_->egress.packets_per_second = packets_per_second;
  return *this;
}
Network& Network::ingress_limit(uint64_t bytes_per_second, uint64_t packets_per_second) {
  impl_->ingress.bytes_per_second = bytes_per_second;
  impl_->ingress.packets_per_second = packets_per_second;
  return *this;
}
Network& Network::egress_burst(uint64_t bytes, uint64_t packets) {
  impl_->egress.burst_bytes = bytes;
  impl_->egress.burst_packets = packets;
  return *this;
}
Network& Network::ingress_burst(uint64_t bytes, uint64_t packets) {
  impl_->ingress.burst_bytes = bytes;
  impl_->ingress.burst_packets = packets;
  return *this;
}
Network& Network::max_connections(uint32_t count) {
  impl_->max_connections = count;
  return *this;
}

}  // namespace microsandbox

namespace msb::sdk {
namespace {

tl::unexpected<Error> invalid(const std::string& what, const Error& error) {
  return make_error(ErrorKind::kInvalidConfig,
                    fmt::format("invalid config: {}: {}", what, error.message));
}

}  // namespace

Result<net::NetworkConfig> network_config(const microsandbox::Network& network) {
  const microsandbox::Network::Impl& impl = microsandbox::NetworkAccess::impl(network);
  net::NetworkConfig config;
  Result<net::Preset> preset = net::parse_preset(impl.preset);
  if (!preset) return invalid("network preset", preset.error());
  config.policy.preset = *preset;
  for (const std::string& text : impl.rules) {
    Result<std::vector<net::Rule>> rules = net::parse_rules(text);
    if (!rules) return invalid(fmt::format("network rule '{}'", text), rules.error());
    config.policy.rules.insert(config.policy.rules.end(), rules->begin(), rules->end());
  }
  config.ports = impl.ports;
  config.dns = impl.dns;
  config.egress = impl.egress;
  config.ingress = impl.ingress;
  config.max_connections = impl.max_connections;
  return config;
}

}  // namespace msb::sdk
