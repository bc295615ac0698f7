// The fixture of the network integration tests (net_integration_test): one named sandbox
// per suite, created through the msb binary with the suite's flags, inside the private
// world of test hosts (tests/support/net_world.h, registered in network_suite.cc), where
// nothing can reach a real network; and the helpers the suites share.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dns_wire.h"
#include "microsandbox/network.h"
#include "microsandbox/sandbox.h"
#include "msb_harness.h"
#include "net_probe.h"
#include "net_world.h"
#include "os/file.h"
#include "os/io.h"
#include "scoped_env.h"
#include "test_engine.h"

namespace msb::testing {

using std::chrono::steady_clock;

// One named sandbox per suite, created with `flags` on top of the test world's DNS server.
class NetworkSuite : public ::testing::Test {
 protected:
  static void create_sandbox(const std::vector<std::string>& flags) {
    harness_ = std::make_unique<MsbHarness>();
    std::vector<std::string> args = {"create", "-n", "net"};
    args.insert(args.end(), flags.begin(), flags.end());
    MsbResult created = harness_->run(args);
    created_ = created.exit_code == 0;
    create_error_ = created.err;
  }

  static void TearDownTestSuite() {
    if (!harness_) return;
    if (created_) {
      MsbResult removed = harness_->run({"rm", "-f", "net"});
      EXPECT_EQ(removed.exit_code, 0) << removed.err;
    }
    EXPECT_TRUE(harness_->wait_no_qemu(std::chrono::seconds(30)));
    harness_.reset();
  }

  void SetUp() override {
    if (!NetWorldEnvironment::world())
      GTEST_SKIP() << "no net world: " << NetWorldEnvironment::unavailable_reason();
    ASSERT_TRUE(created_) << "msb create failed: " << create_error_;
  }

  // A DNS question over TCP to the guest's resolver (the gateway), as a resolver falls back
  // to after a truncated answer; busybox has no such client, so nc carries the bytes.
  static Result<dns::Response> dns_over_tcp_from_guest(const std::string& name) {
    const std::string query = dns::encode_query(0x5151, name, dns::kTypeA);
    std::string framed = {char(query.size() >> 8), char(query.size() & 0xff)};
    framed += query;
    std::string octal;
    for (unsigned char byte : framed) octal += fmt::format("\\{:03o}", byte);
    MsbResult result = sh("printf '" + octal +
                          "' > /tmp/q && resolver=$(sed -n 's/^nameserver //p' "
                          "/etc/resolv.conf) && nc -w 5 $resolver 53 < /tmp/q");
    if (result.out.size() < 2)
      return err(ErrorKind::kProtocol, "no answer over TCP: {} {}", result.out, result.err);
    return dns::decode_response(std::string_view(result.out).substr(2));
  }

  // `script` in the sandbox's shell.
  static MsbResult sh(const std::string& script) {
    return harness_->run({"exec", "net", "--", "sh", "-c", script}, std::chrono::seconds(120));
  }

  // The body of GET / from `host` port `port` (busybox nc: Debian's static busybox wget
  // crashes), and how long it took.
  struct Fetch {
    MsbResult result;
    std::chrono::milliseconds took;
  };
  static Fetch fetch(const std::string& host, int port = 80) {
    auto start = steady_clock::now();
    MsbResult result =
        sh("printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 " + host + " " + std::to_string(port) +
           " > /tmp/response && sed '1,/^\\r*$/d' /tmp/response");
    return {result,
            std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - start)};
  }

  static inline std::unique_ptr<MsbHarness> harness_;
  static inline bool created_ = false;
  static inline std::string create_error_;
};

// Sends `payload` over a new TCP connection to `ip`:`port` while reading what comes back,
// until as many bytes came back or the peer closed or `timeout` passed.
Result<std::string> tcp_exchange(const std::string& ip, uint16_t port, const std::string& payload,
                                 std::chrono::seconds timeout);

// The supervisor (msb-runtime) of the sandboxes under `home`: its pid, or 0.
int supervisor_pid(const std::string& home);

// A line of /proc/<pid>/status ("VmHWM:    5432 kB") as its number; -1 when absent.
long status_kib(int pid, const std::string& key);

}  // namespace msb::testing
