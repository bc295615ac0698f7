// Published ports and rate limits, end to end through the msb binary.
#include "network_suite.h"

namespace msb::testing {
namespace {

// --- published ports ---

class PublishedPorts : public NetworkSuite {
 protected:
  static void SetUpTestSuite() {
    if (!NetWorldEnvironment::world()) return;
    create_sandbox(
        {"-p", "127.0.0.1:18080:8080", "-p", "127.0.0.1:18090:9000/udp", "-p", "[::1]:18081:9001"});
    if (!created_) return;
    // busybox has no UDP or IPv6 server: tests/support/guest_net_tool.cc does.
    MsbResult copied = harness_->run({"cp", MSB_GUEST_NET_TOOL, "net:/tmp/tool"});
    created_ = copied.exit_code == 0;
    create_error_ = copied.err;
  }

  // Starts the tool's `mode` server on `port` in the guest and waits for its "ready".
  static os::ChildProcess serve(const std::string& mode, int port) {
    os::ChildProcess server =
        harness_->start({"exec", "net", "--", "/tmp/tool", mode, std::to_string(port), "100000"});
    for (int attempt = 0; attempt < 100; ++attempt) {
      MsbResult listening = sh("cat /proc/net/tcp6 /proc/net/udp6");
      char hex[8];
      std::snprintf(hex, sizeof hex, ":%04X ", port);
      if (listening.out.find(hex) != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return server;
  }
};

TEST_F(PublishedPorts, TcpRoundTripsAMebibyteEachWay) {
  // An echo server in the guest, behind the published port.
  os::ChildProcess server =
      harness_->start({"exec", "net", "--", "nc", "-ll", "-p", "8080", "-e", "cat"});
  std::string payload(1 << 20, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = char('a' + i % 26);
  Result<std::string> echoed;
  for (int attempt = 0; attempt < 50; ++attempt) {
    echoed = tcp_exchange("127.0.0.1", 18080, payload, std::chrono::seconds(60));
    if (echoed && !echoed->empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(echoed.has_value()) << echoed.error().message;
  EXPECT_EQ(echoed->size(), payload.size());
  EXPECT_TRUE(*echoed == payload);
}

TEST_F(PublishedPorts, UdpRoundTripsAMebibyteEachWay) {
  os::ChildProcess server = serve("udp-echo", 9000);
  // 1024 datagrams of 1 KiB, each answered before the next goes (a lost one is sent again).
  std::string payload(1024, '\0');
  size_t echoed = 0;
  for (int i = 0; i < 1024; ++i) {
    for (size_t j = 0; j < payload.size(); ++j) payload[j] = char('a' + (i + j) % 26);
    for (int attempt = 0; attempt < 5; ++attempt) {
      Result<std::string> back =
          udp_exchange("127.0.0.1", 18090, payload, std::chrono::milliseconds(2000));
      if (back && *back == payload) {
        echoed += back->size();
        break;
      }
    }
  }
  EXPECT_EQ(echoed, size_t(1) << 20);
}

TEST_F(PublishedPorts, Ipv6BindReachesTheGuest) {
  os::ChildProcess server = serve("tcp-echo", 9001);
  Result<std::string> echoed =
      tcp_exchange("::1", 18081, "hello over v6", std::chrono::seconds(30));
  ASSERT_TRUE(echoed.has_value()) << echoed.error().message;
  EXPECT_EQ(*echoed, "hello over v6");
}

TEST_F(PublishedPorts, TakenHostPortFailsBeforeAnythingRuns) {
  Result<os::Fd> taken = bound_socket(SOCK_STREAM, "127.0.0.1", 18095);
  ASSERT_TRUE(taken.has_value()) << taken.error().message;
  MsbResult created = harness_->run({"create", "-n", "busy", "-p", "127.0.0.1:18095:80"});
  EXPECT_NE(created.exit_code, 0);
  EXPECT_NE(created.err.find("127.0.0.1:18095:80/tcp"), std::string::npos) << created.err;
  EXPECT_NE(created.err.find("in use"), std::string::npos) << created.err;
  (void)harness_->run({"rm", "-f", "busy"});
}

TEST_F(PublishedPorts, StoppedSandboxFreesItsPort) {
  MsbResult stopped = harness_->run({"stop", "net"});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.err;
  Result<os::Fd> listener = bound_socket(SOCK_STREAM, "127.0.0.1", 18080);
  EXPECT_TRUE(listener.has_value()) << listener.error().message;
}

TEST_F(PublishedPorts, KilledSupervisorFreesItsPort) {
  MsbResult started = harness_->run({"start", "net"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  ASSERT_FALSE(bound_socket(SOCK_STREAM, "127.0.0.1", 18080).has_value());
  const int supervisor = supervisor_pid(harness_->home());
  ASSERT_GT(supervisor, 0);
  ASSERT_EQ(::kill(supervisor, SIGKILL), 0);
  bool freed = false;
  for (int attempt = 0; attempt < 100 && !freed; ++attempt) {
    freed = bound_socket(SOCK_STREAM, "127.0.0.1", 18080).has_value();
    if (!freed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(freed);
}

// --- rate limits ---

class RateLimited : public NetworkSuite {
 protected:
  static void SetUpTestSuite() {
    if (!NetWorldEnvironment::world()) return;
    create_sandbox({"--net-egress-bandwidth", "1M"});
  }
};

// Its own sandbox: with both directions limited, a backlog of egress holds back the ACKs
// of a download (the card is read in order), and each test would measure the other.
class IngressLimited : public NetworkSuite {
 protected:
  static void SetUpTestSuite() {
    if (!NetWorldEnvironment::world()) return;
    create_sandbox({"--net-ingress-bandwidth", "1M"});
  }
};

TEST_F(RateLimited, EgressHoldsWithinTenPercentOverTenSeconds) {
  NetWorld* world = NetWorldEnvironment::world();
  // 16 MiB offered to the discard sink for 12 s: the limit, not the source, sets the pace.
  os::ChildProcess sender = harness_->start(
      {"exec", "net", "--", "sh", "-c",
       "dd if=/dev/zero bs=64k count=256 2>/dev/null | timeout 12 nc 192.0.2.10 9"});
  // Skip the first second (the bucket starts full: one second's worth of burst).
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const uint64_t start_bytes = world->discard_bytes();
  const auto start = steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(10));
  const uint64_t bytes = world->discard_bytes() - start_bytes;
  const double seconds = std::chrono::duration<double>(steady_clock::now() - start).count();
  const double rate = double(bytes) / seconds / (1 << 20);
  std::printf("egress at a 1 MiB/s limit: %.3f MiB/s over %.1f s (%llu bytes before)\n", rate,
              seconds, static_cast<unsigned long long>(start_bytes));
  EXPECT_NEAR(rate, 1.0, 0.1);
  (void)sender.wait();
}

TEST_F(IngressLimited, DownloadHoldsWithinTenPercent) {
  // 7 MiB down: the first MiB is the bucket's burst, the other 6 take 6 s at the limit.
  auto start = steady_clock::now();
  MsbResult result =
      sh("printf 'GET /bytes/7340032 HTTP/1.0\\r\\n\\r\\n' | nc 192.0.2.10 80 | wc -c");
  const double seconds = std::chrono::duration<double>(steady_clock::now() - start).count();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  ASSERT_GE(std::stol(result.out), 7340032L) << result.out;
  const double rate = 6.0 / seconds;
  std::printf("ingress at a 1 MiB/s limit: %.3f MiB/s (7 MiB in %.2f s, 1 MiB of it burst)\n", rate,
              seconds);
  // The limit holds: never above it. How close a download comes to it depends on libslirp's
  // TCP towards the guest, whose window is one segment, so a lost or late ACK costs a
  // retransmission timeout: 0.93-0.99 of the limit on the namespace engine, 0.36-0.98 under
  // TCG on a loaded host. The floor only tells "shaped" from "broken".
  EXPECT_LE(rate, 1.1);
  EXPECT_GE(rate, 0.25);
}

}  // namespace
}  // namespace msb::testing
