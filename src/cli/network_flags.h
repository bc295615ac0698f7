// The network flags of `msb create` and `msb run` (--net, --net-rule, --no-net, -p, DNS,
// rate limits, --max-connections); they fill one net::NetworkConfig. Every rule and port is
// parsed here, before anything is created.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "net/network_config.h"

namespace msb::cli {

// The texts of one direction's --net-<direction>-{bandwidth,bandwidth-burst,ops,ops-burst}.
struct RateFlags {
  std::string bandwidth;
  std::string bandwidth_burst;
  std::string ops;
  std::string ops_burst;
};

class NetworkFlags {
 public:
  void add_to(CLI::App& app);
  // The config the flags describe; the defaults where none were given. --net-rule values are
  // appended in order. Errors: kInvalidArgument naming the flag and its value
  // ("--net-rule 'alow@x': 'alow' at column 1: expected allow or deny"). validate_network()
  // is left to config::validate().
  Result<net::NetworkConfig> to_config() const;

 private:
  std::string preset_;
  std::vector<std::string> rules_;
  bool no_net_ = false;
  std::vector<std::string> ports_;
  std::vector<std::string> nameservers_;
  bool no_rebind_protection_ = false;
  uint32_t query_timeout_ms_ = net::kDefaultDnsQueryTimeoutMs;
  RateFlags egress_;
  RateFlags ingress_;
  uint32_t max_connections_ = net::kDefaultMaxConnections;
};

}  // namespace msb::cli
