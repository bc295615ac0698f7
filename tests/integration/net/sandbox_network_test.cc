// Sandboxes on the network, end to end through the msb binary, inside a private world of
// test hosts (tests/support/net_world.h): nothing here can reach a real network. Each suite
// creates one sandbox with its own policy and shares it between its tests.
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
namespace {

::testing::Environment* const net_world_env =
    ::testing::AddGlobalTestEnvironment(new NetWorldEnvironment);

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

  static std::unique_ptr<MsbHarness> harness_;
  static bool created_;
  static std::string create_error_;
};

std::unique_ptr<MsbHarness> NetworkSuite::harness_;
bool NetworkSuite::created_ = false;
std::string NetworkSuite::create_error_;

// Sends `payload` over a new TCP connection to `ip`:`port` while reading what comes back,
// until as many bytes came back or the peer closed or `timeout` passed.
Result<std::string> tcp_exchange(const std::string& ip, uint16_t port, const std::string& payload,
                                 std::chrono::seconds timeout) {
  os::Fd socket = MSB_TRY(connect_tcp(ip, port));
  std::thread writer([&] {
    // send(MSG_NOSIGNAL): a peer that resets must fail the exchange, not kill the test.
    for (size_t sent = 0; sent < payload.size();) {
      Result<size_t> n =
          os::send_some(socket.get(), {payload.data() + sent, payload.size() - sent});
      if (!n) return;
      sent += *n;
    }
  });
  std::string received;
  const auto deadline = steady_clock::now() + timeout;
  char buffer[65536];
  while (received.size() < payload.size() && steady_clock::now() < deadline) {
    pollfd entry{socket.get(), POLLIN, 0};
    if (::poll(&entry, 1, 200) <= 0) continue;
    ssize_t n = ::read(socket.get(), buffer, sizeof buffer);
    if (n <= 0) break;
    received.append(buffer, size_t(n));
  }
  ::shutdown(socket.get(), SHUT_RDWR);
  writer.join();
  return received;
}

// The supervisor (msb-runtime) of the sandboxes under `home`: its pid, or 0.
int supervisor_pid(const std::string& home) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    Result<std::string> comm = os::read_file(entry.path().string() + "/comm");
    if (!comm || *comm != "msb-runtime\n") continue;
    Result<std::string> environ = os::read_file(entry.path().string() + "/environ");
    if (environ && environ->find("MSB_HOME=" + home + std::string(1, '\0')) != std::string::npos)
      return std::stoi(name);
  }
  return 0;
}

// A line of /proc/<pid>/status ("VmHWM:    5432 kB") as its number; -1 when absent.
long status_kib(int pid, const std::string& key) {
  Result<std::string> status = os::read_file("/proc/" + std::to_string(pid) + "/status");
  if (!status) return -1;
  const size_t at = status->find(key + ":");
  if (at == std::string::npos) return -1;
  return std::stol(status->substr(at + key.size() + 1));
}

// --- the default policy ("public") ---

class DefaultPolicy : public NetworkSuite {
 protected:
  static void SetUpTestSuite() {
    if (!NetWorldEnvironment::world()) return;
    create_sandbox({"--dns-nameserver", kDnsV4});
  }
};

TEST_F(DefaultPolicy, GuestHasItsAddressesAndResolver) {
  MsbResult result = sh("ip addr show eth0; cat /etc/resolv.conf; grep microsandbox /etc/hosts");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("inet 172."), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("inet6 fd42:6d73:62:"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("nameserver 172."), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("host.microsandbox.internal"), std::string::npos) << result.out;
}

TEST_F(DefaultPolicy, PublicHostsAnswerOverV4AndV6) {
  for (const char* host : {kPublicV4, kPublicV6}) {
    Fetch fetched = fetch(host);
    EXPECT_EQ(fetched.result.out, std::string("hello from ") + host + "\n")
        << host << " exit " << fetched.result.exit_code << ": " << fetched.result.err;
  }
}

TEST_F(DefaultPolicy, NamesResolveThroughTheInterceptor) {
  NetWorldEnvironment::world()->dns_zone().set("web.test", {kPublic2V4});
  Fetch fetched = fetch("web.test");
  EXPECT_EQ(fetched.result.out, std::string("hello from ") + kPublic2V4 + "\n");
}

TEST_F(DefaultPolicy, PrivateMetadataAndHostAreRefusedFast) {
  NetWorld* world = NetWorldEnvironment::world();
  const size_t metadata_hits = world->http_log().count_to(kMetadataV4);
  const size_t private_hits = world->http_log().count_to(kPrivateV4);
  const size_t loopback_hits = world->loopback_log().size();
  for (const auto& [url, port] :
       std::vector<std::pair<std::string, int>>{{kMetadataV4, 80},
                                                {kMetadataV6, 80},
                                                {kPrivateV4, 80},
                                                {kPrivateV6, 80},
                                                {"host.microsandbox.internal", kLoopbackPort}}) {
    Fetch fetched = fetch(url, port);
    EXPECT_NE(fetched.result.exit_code, 0) << url << ": " << fetched.result.out;
    EXPECT_EQ(fetched.result.out.find("hello"), std::string::npos) << url;
    // A reset, not a timeout: refused at once (the exec itself costs some of this).
    EXPECT_LT(fetched.took, std::chrono::seconds(4)) << url << ": " << fetched.result.out;
  }
  EXPECT_EQ(world->http_log().count_to(kMetadataV4), metadata_hits);
  EXPECT_EQ(world->http_log().count_to(kPrivateV4), private_hits);
  EXPECT_EQ(world->loopback_log().size(), loopback_hits);
}

TEST_F(DefaultPolicy, DnsOverTcpGoesThroughTheInterceptor) {
  NetWorldEnvironment::world()->dns_zone().set("tcp.test", {kPublicV4});
  NetWorldEnvironment::world()->dns_zone().set("rebind-tcp.test", {kPrivateV4});
  Result<dns::Response> answer = dns_over_tcp_from_guest("tcp.test");
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  ASSERT_EQ(answer->answers.size(), 1u);
  EXPECT_EQ(answer->answers[0].address, kPublicV4);
  // The same rebinding protection as over UDP.
  Result<dns::Response> rebound = dns_over_tcp_from_guest("rebind-tcp.test");
  ASSERT_TRUE(rebound.has_value()) << rebound.error().message;
  EXPECT_TRUE(rebound->answers.empty());
}

TEST_F(DefaultPolicy, RebindingAnswersAreDropped) {
  NetWorldEnvironment::world()->dns_zone().set("rebind.test", {kPrivateV4});
  MsbResult through_gateway = sh("nslookup rebind.test 2>&1");
  EXPECT_EQ(through_gateway.out.find(kPrivateV4), std::string::npos) << through_gateway.out;
  // Asked straight at the resolver, the answer still passes the interceptor.
  MsbResult direct = sh(std::string("nslookup rebind.test ") + kDnsV4 + " 2>&1");
  EXPECT_EQ(direct.out.find(kPrivateV4), std::string::npos) << direct.out;
}

TEST_F(DefaultPolicy, TwoHundredConcurrentConnectionsComplete) {
  MsbResult result =
      sh("i=0; while [ $i -lt 200 ]; do i=$((i+1)); "
         "(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 30 192.0.2.10 80 > /tmp/c$i) & done; wait; "
         "cat /tmp/c* | grep -c '^hello from'");
  EXPECT_EQ(result.out, "200\n") << result.err;
  const int supervisor = supervisor_pid(harness_->home());
  ASSERT_GT(supervisor, 0);
  const long peak_kib = status_kib(supervisor, "VmHWM");
  std::printf("supervisor peak RSS after 200 connections: %ld KiB\n", peak_kib);
  RecordProperty("supervisor_peak_rss_kib", std::to_string(peak_kib));
  EXPECT_LT(peak_kib, 96 * 1024);  // libslirp keeps socket buffers per connection
}

TEST_F(DefaultPolicy, NetworkSurvivesStopAndStart) {
  MsbResult stopped = harness_->run({"stop", "net"});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.err;
  MsbResult started = harness_->run({"start", "net"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  EXPECT_EQ(fetch(kPublicV4).result.out, std::string("hello from ") + kPublicV4 + "\n");
}

// --- an allow-list of names ---

class AllowList : public NetworkSuite {
 protected:
  static void SetUpTestSuite() {
    NetWorld* world = NetWorldEnvironment::world();
    if (!world) return;
    world->dns_zone().set("api.test", {kPublicV4});
    world->dns_zone().set("a.svc.test", {kPublic2V4});
    world->dns_zone().set("svc.test", {kPublic2V4});
    world->dns_zone().set("denied.test", {kPublic2V4});
    create_sandbox({"--dns-nameserver", kDnsV4, "--net", "none", "--net-rule",
                    "allow@api.test:tcp:80,allow@*.svc.test:tcp:80,allow@host:tcp:8080"});
  }
};

TEST_F(AllowList, InspectShowsTheEffectivePolicy) {
  MsbResult inspected = harness_->run({"inspect", "net"});
  ASSERT_EQ(inspected.exit_code, 0) << inspected.err;
  EXPECT_NE(inspected.out.find("allow@api.test:tcp:80"), std::string::npos) << inspected.out;
  EXPECT_NE(inspected.out.find("*.svc.test"), std::string::npos) << inspected.out;
}

TEST_F(AllowList, AllowedNameIsReachable) {
  EXPECT_EQ(fetch("api.test").result.out, std::string("hello from ") + kPublicV4 + "\n");
}

TEST_F(AllowList, SuffixCoversSubdomainsNotTheApex) {
  EXPECT_EQ(fetch("a.svc.test").result.out, std::string("hello from ") + kPublic2V4 + "\n");
  MsbResult apex = sh("nslookup svc.test 2>&1");
  EXPECT_EQ(apex.out.find(kPublic2V4), std::string::npos) << apex.out;
}

TEST_F(AllowList, DeniedNameGetsNxDomainWithoutAskingUpstream) {
  NetWorld* world = NetWorldEnvironment::world();
  const size_t asked = world->dns_zone().query_count("denied.test");
  MsbResult result = sh("nslookup denied.test 2>&1");
  EXPECT_NE(result.exit_code, 0) << result.out;
  EXPECT_EQ(result.out.find(kPublic2V4), std::string::npos) << result.out;
  EXPECT_EQ(world->dns_zone().query_count("denied.test"), asked);
}

TEST_F(AllowList, DnsStraightToAResolverFollowsThePolicy) {
  NetWorld* world = NetWorldEnvironment::world();
  const size_t asked = world->dns_zone().query_count("denied.test");
  MsbResult result = sh(std::string("nslookup denied.test ") + kDnsV4 + " 2>&1");
  EXPECT_NE(result.exit_code, 0) << result.out;
  EXPECT_EQ(result.out.find(kPublic2V4), std::string::npos) << result.out;
  EXPECT_EQ(world->dns_zone().query_count("denied.test"), asked);
  // Refused with an ICMP error (EHOSTUNREACH), not left to time out; busybox's nslookup
  // then tries again until its own timeout, so its run time says nothing.
  EXPECT_NE(result.out.find("No route to host"), std::string::npos) << result.out;
}

TEST_F(AllowList, HostRuleOpensTheHostsLoopbackService) {
  const size_t hits = NetWorldEnvironment::world()->loopback_log().size();
  Fetch fetched = fetch("host.microsandbox.internal", kLoopbackPort);
  EXPECT_NE(fetched.result.out.find("hello from 127.0.0.1"), std::string::npos)
      << fetched.result.out << fetched.result.err;
  EXPECT_GT(NetWorldEnvironment::world()->loopback_log().size(), hits);
}

TEST_F(AllowList, UnresolvedAddressIsRefused) {
  // 203.0.113.10 is a.svc.test's address too, but reached by address, without resolving a
  // name the rules allow, it is just an address, and "none" refuses it... unless this
  // sandbox resolved a.svc.test before: use the other public host, never resolved here.
  Fetch fetched = fetch(kPublicV6);
  EXPECT_NE(fetched.result.exit_code, 0) << fetched.result.out;
  EXPECT_LT(fetched.took, std::chrono::seconds(4));
}

// --- the same through the C++ SDK ---

class SdkNetwork : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NetWorldEnvironment::world())
      GTEST_SKIP() << "no net world: " << NetWorldEnvironment::unavailable_reason();
    home_ = std::make_unique<os::TempDir>(std::move(*os::TempDir::create("msb-sdk-net-")));
    home_env_ = std::make_unique<ScopedEnv>("MSB_HOME", home_->path());
  }
  void TearDown() override {
    home_env_.reset();
    home_.reset();
  }
  std::unique_ptr<os::TempDir> home_;
  std::unique_ptr<ScopedEnv> home_env_;
};

TEST_F(SdkNetwork, BuilderPolicyHoldsAndDisabledNetworkLeavesOnlyLoopback) {
  using microsandbox::Network;
  using microsandbox::Sandbox;
  NetWorldEnvironment::world()->dns_zone().set("sdk.test", {kPublicV4});
  const std::string get = "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ";
  {
    Sandbox sandbox =
        Sandbox::builder("sdk-net")
            .isolation(test_isolation())
            .ephemeral()
            .network(Network::preset("none").allow("sdk.test", "tcp", "80").dns_nameserver(kDnsV4))
            .create();
    EXPECT_NE(sandbox.shell(get + "sdk.test 80").stdout_data.find("hello from 192.0.2.10"),
              std::string::npos);
    EXPECT_EQ(sandbox.shell(get + kPublic2V4 + " 80").stdout_data.find("hello"), std::string::npos);
    sandbox.stop_and_wait();
  }
  Sandbox offline = Sandbox::builder("sdk-offline")
                        .isolation(test_isolation())
                        .ephemeral()
                        .disable_network()
                        .create();
  EXPECT_EQ(offline.shell("ls /sys/class/net").stdout_data, "lo\n");
  offline.stop_and_wait();
}

// --- no network at all ---

class NoNetwork : public NetworkSuite {
 protected:
  static void SetUpTestSuite() {
    if (!NetWorldEnvironment::world()) return;
    create_sandbox({"--no-net"});
  }
};

TEST_F(NoNetwork, OnlyLoopbackExists) {
  MsbResult result = sh("ls /sys/class/net");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "lo\n");
}

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
  // The limit holds: never above it. How close a download gets to it depends on libslirp's
  // TCP towards the guest (0.5-0.99 of the limit seen here, worst under TCG on a loaded
  // host), so below it the bound is loose.
  EXPECT_LE(rate, 1.1);
  EXPECT_GE(rate, 0.4);
}

}  // namespace
}  // namespace msb::testing
