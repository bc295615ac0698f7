// nlohmann-json throws on type mismatches, so every field is read through get_ptr<>(),
// which returns nullptr instead.
#include "net/network_json.h"

#include <limits>
#include <nlohmann/json.hpp>

#include "net/rule_grammar.h"

namespace msb::net {
namespace {

using nlohmann::json;

tl::unexpected<Error> wrong(std::string_view where, std::string_view what) {
  return err(ErrorKind::kInvalidConfig, "sandbox config: {}: {}", where, what);
}

std::string path(std::string_view where, std::string_view key) {
  return fmt::format("{}.{}", where, key);
}

Result<void> read_bool(const json& object, std::string_view where, const char* key, bool& out) {
  auto it = object.find(key);
  if (it == object.end()) return {};
  const json::boolean_t* value = it->get_ptr<const json::boolean_t*>();
  if (!value) return wrong(path(where, key), "must be true or false");
  out = *value;
  return {};
}

template <class T>
Result<void> read_unsigned(const json& object, std::string_view where, const char* key, T& out) {
  auto it = object.find(key);
  if (it == object.end()) return {};
  const json::number_unsigned_t* value = it->get_ptr<const json::number_unsigned_t*>();
  if (!value || *value > std::numeric_limits<T>::max()) {
    return wrong(path(where, key),
                 fmt::format("must be an integer from 0 to {}", std::numeric_limits<T>::max()));
  }
  out = static_cast<T>(*value);
  return {};
}

Result<const json::string_t*> string_at(const json& value, std::string_view where) {
  const json::string_t* text = value.get_ptr<const json::string_t*>();
  if (!text) return wrong(where, "must be a string");
  return text;
}

Result<const json::array_t*> array_at(const json& object, std::string_view where, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return nullptr;
  const json::array_t* array = it->get_ptr<const json::array_t*>();
  if (!array) return wrong(path(where, key), "must be an array");
  return array;
}

Result<const json*> object_at(const json& object, std::string_view where, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return nullptr;
  if (!it->is_object()) return wrong(path(where, key), "must be an object");
  return &*it;
}

Result<void> read_rules(const json& object, std::vector<Rule>& out) {
  const json::array_t* array = MSB_TRY(array_at(object, "network", "rules"));
  if (!array) return {};
  std::vector<Rule> rules;
  for (size_t i = 0; i < array->size(); ++i) {
    const std::string where = fmt::format("network.rules[{}]", i);
    const json::string_t* text = MSB_TRY(string_at((*array)[i], where));
    Result<Rule> rule = parse_rule(*text);
    if (!rule) return wrong(where, rule.error().message);
    rules.push_back(std::move(*rule));
  }
  out = std::move(rules);
  return {};
}

Result<PublishedPort> read_port(const json& value, std::string_view where) {
  if (!value.is_object())
    return wrong(where, "must be an object {bind, host_port, guest_port, protocol}");
  PublishedPort port;
  if (auto it = value.find("bind"); it != value.end())
    port.bind = *MSB_TRY(string_at(*it, path(where, "bind")));
  MSB_TRY(read_unsigned(value, where, "host_port", port.host_port));
  MSB_TRY(read_unsigned(value, where, "guest_port", port.guest_port));
  if (auto it = value.find("protocol"); it != value.end()) {
    const std::string protocol = *MSB_TRY(string_at(*it, path(where, "protocol")));
    if (protocol != "tcp" && protocol != "udp")
      return wrong(path(where, "protocol"), "must be tcp or udp");
    port.udp = protocol == "udp";
  }
  return port;
}

Result<void> read_ports(const json& object, std::vector<PublishedPort>& out) {
  const json::array_t* array = MSB_TRY(array_at(object, "network", "ports"));
  if (!array) return {};
  std::vector<PublishedPort> ports;
  for (size_t i = 0; i < array->size(); ++i)
    ports.push_back(MSB_TRY(read_port((*array)[i], fmt::format("network.ports[{}]", i))));
  out = std::move(ports);
  return {};
}

Result<void> read_dns(const json& object, DnsOptions& out) {
  const json* dns = MSB_TRY(object_at(object, "network", "dns"));
  if (!dns) return {};
  const json::array_t* servers = MSB_TRY(array_at(*dns, "network.dns", "nameservers"));
  if (servers) {
    out.nameservers.clear();
    for (size_t i = 0; i < servers->size(); ++i) {
      const std::string where = fmt::format("network.dns.nameservers[{}]", i);
      out.nameservers.push_back(*MSB_TRY(string_at((*servers)[i], where)));
    }
  }
  MSB_TRY(read_bool(*dns, "network.dns", "rebinding_protection", out.rebinding_protection));
  return read_unsigned(*dns, "network.dns", "query_timeout_ms", out.query_timeout_ms);
}

Result<void> read_limit(const json& object, const char* key, RateLimit& out) {
  const json* limit = MSB_TRY(object_at(object, "network", key));
  if (!limit) return {};
  const std::string where = path("network", key);
  MSB_TRY(read_unsigned(*limit, where, "bytes_per_second", out.bytes_per_second));
  MSB_TRY(read_unsigned(*limit, where, "packets_per_second", out.packets_per_second));
  MSB_TRY(read_unsigned(*limit, where, "burst_bytes", out.burst_bytes));
  return read_unsigned(*limit, where, "burst_packets", out.burst_packets);
}

json limit_to_json(const RateLimit& limit) {
  return {{"bytes_per_second", limit.bytes_per_second},
          {"packets_per_second", limit.packets_per_second},
          {"burst_bytes", limit.burst_bytes},
          {"burst_packets", limit.burst_packets}};
}

json ports_to_json(const std::vector<PublishedPort>& ports) {
  json array = json::array();
  for (const PublishedPort& port : ports) {
    array.push_back({{"bind", port.bind},
                     {"host_port", port.host_port},
                     {"guest_port", port.guest_port},
                     {"protocol", port.udp ? "udp" : "tcp"}});
  }
  return array;
}

}  // namespace

json network_to_json(const NetworkConfig& config) {
  json rules = json::array();
  for (const Rule& rule : config.policy.rules) rules.push_back(format_rule(rule));
  return {{"enabled", config.enabled},
          {"preset", preset_name(config.policy.preset)},
          {"rules", std::move(rules)},
          {"ports", ports_to_json(config.ports)},
          {"dns",
           {{"nameservers", config.dns.nameservers},
            {"rebinding_protection", config.dns.rebinding_protection},
            {"query_timeout_ms", config.dns.query_timeout_ms}}},
          {"egress", limit_to_json(config.egress)},
          {"ingress", limit_to_json(config.ingress)},
          {"max_connections", config.max_connections}};
}

Result<NetworkConfig> network_from_json(const json& value) {
  if (!value.is_object()) return wrong("network", "must be an object");
  NetworkConfig config;
  MSB_TRY(read_bool(value, "network", "enabled", config.enabled));
  if (auto it = value.find("preset"); it != value.end()) {
    const json::string_t* name = MSB_TRY(string_at(*it, "network.preset"));
    Result<Preset> preset = parse_preset(*name);
    if (!preset) return wrong("network.preset", preset.error().message);
    config.policy.preset = *preset;
  }
  MSB_TRY(read_rules(value, config.policy.rules));
  MSB_TRY(read_ports(value, config.ports));
  MSB_TRY(read_dns(value, config.dns));
  MSB_TRY(read_limit(value, "egress", config.egress));
  MSB_TRY(read_limit(value, "ingress", config.ingress));
  MSB_TRY(read_unsigned(value, "network", "max_connections", config.max_connections));
  return config;
}

}  // namespace msb::net
