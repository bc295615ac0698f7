#include "runtime/sandbox_network.h"

#include "net/address_plan.h"
#include "net/dns_upstreams.h"

namespace msb::runtime {
namespace {

net::AddressPlan plan_for(const config::SandboxConfig& config) {
  return net::plan_addresses(net::slot_for_name(config.name));
}

net::IpAddress ip_of(const in_addr& address) {
  return net::IpAddress::from_bytes(net::IpAddress::Family::kV4,
                                    {reinterpret_cast<const uint8_t*>(&address), 4});
}

net::IpAddress ip_of(const in6_addr& address) {
  return net::IpAddress::from_bytes(net::IpAddress::Family::kV6,
                                    {reinterpret_cast<const uint8_t*>(&address), 16});
}

Result<net::PortForward> port_forward(const net::PublishedPort& port) {
  net::IpAddress bind = MSB_TRY(
      net::IpAddress::parse(port.bind).context("published port {}: bind address", port.host_port));
  net::SocketAddress host = net::SocketAddress::of(bind, port.host_port);
  net::PortForward forward;
  forward.udp = port.udp;
  forward.host = host.storage;
  forward.host_length = host.length;
  forward.guest_port = port.guest_port;
  forward.label = net::format_published_port(port) + (port.udp ? "" : "/tcp");
  return forward;
}

net::SlirpSettings stack_settings(const net::AddressPlan& plan) {
  net::SlirpSettings stack;
  stack.network = plan.network;
  stack.netmask = plan.netmask;
  stack.gateway = plan.gateway;
  stack.guest = plan.guest;
  stack.prefix6 = plan.prefix6;
  stack.prefix6_length = plan.prefix6_length;
  stack.gateway6 = plan.gateway6;
  stack.guest6 = plan.guest6;
  stack.mtu = plan.mtu;
  return stack;
}

Result<net::PolicyFilterSettings> filter_settings(const config::SandboxConfig& config,
                                                  const net::AddressPlan& plan) {
  const net::NetworkConfig& network = config.network;
  net::PolicyFilterSettings filter;
  filter.policy = network.policy;
  filter.max_connections = network.max_connections;
  filter.guest_v4 = ip_of(plan.guest);
  filter.gateway_v4 = ip_of(plan.gateway);
  filter.subnet_v4 = net::Cidr::of(filter.guest_v4, plan.prefix);
  filter.guest_v6 = ip_of(plan.guest6);
  filter.gateway_v6 = ip_of(plan.gateway6);
  filter.subnet_v6 = net::Cidr::of(*filter.guest_v6, plan.prefix6_length);
  filter.dns.upstreams = MSB_TRY(net::upstream_nameservers(network.dns.nameservers));
  filter.dns.timeout = std::chrono::milliseconds(network.dns.query_timeout_ms);
  filter.dns.rebinding_protection = network.dns.rebinding_protection;
  return filter;
}

}  // namespace

std::optional<engine::GuestNetworkSpec> guest_network_for(const config::SandboxConfig& config) {
  if (!config.network.enabled) return std::nullopt;
  net::AddressPlan plan = plan_for(config);
  engine::GuestNetworkSpec spec;
  spec.ipv4_cidr = net::to_text(plan.guest) + "/" + std::to_string(plan.prefix);
  spec.gateway_v4 = net::to_text(plan.gateway);
  spec.ipv6_cidr = net::to_text(plan.guest6) + "/" + std::to_string(plan.prefix6_length);
  spec.gateway_v6 = net::to_text(plan.gateway6);
  spec.mtu = plan.mtu;
  spec.mac = plan.guest_mac;
  return spec;
}

Result<NetworkPlan> network_plan_for(const config::SandboxConfig& config) {
  net::AddressPlan addresses = plan_for(config);
  NetworkPlan plan;
  plan.enabled = config.network.enabled;
  plan.stack.stack = stack_settings(addresses);
  for (const net::PublishedPort& port : config.network.ports)
    plan.stack.ports.push_back(MSB_TRY(port_forward(port)));
  plan.stack.egress = config.network.egress;
  plan.stack.ingress = config.network.ingress;
  plan.filter = MSB_TRY(filter_settings(config, addresses));
  return plan;
}

Result<std::unique_ptr<net::UserNetwork>> prepare_network(const NetworkPlan& plan) {
  if (!plan.enabled) return std::unique_ptr<net::UserNetwork>();
  return net::UserNetwork::create(plan.stack, std::make_unique<net::PolicyFilter>(plan.filter))
      .context("network");
}

Result<void> connect_network(net::UserNetwork* network, engine::Instance& instance) {
  std::optional<engine::NetworkEndpoint> endpoint = instance.take_network_endpoint();
  if (!network && !endpoint) return {};
  if (!network || !endpoint)
    return err(ErrorKind::kInternal, "network: the sandbox's card and its stack do not match");
  network->run_on(std::move(endpoint->fd), endpoint->format == engine::FrameFormat::kTap
                                               ? net::FrameLink::Format::kTap
                                               : net::FrameLink::Format::kLengthPrefixed);
  return {};
}

}  // namespace msb::runtime
