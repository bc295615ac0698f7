// The net world (tests/support/net_world.h) checked from its client namespace with plain
// sockets, the way a sandbox's supervisor will reach it: every host and server answers,
// nothing routes beyond the world, and teardown leaves no process, thread or veth behind.
#include "net_world.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "net_probe.h"
#include "os/run_command.h"
#include "wait_until.h"

namespace msb::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

uint64_t netns_inode(const char* path) {
  struct stat status {};
  return ::stat(path, &status) == 0 ? status.st_ino : 0;
}

// The shared world, plus the checks that only make sense around it: the process left the
// machine's namespace, and teardown leaves nothing behind.
class CheckedNetWorldEnvironment : public NetWorldEnvironment {
 public:
  void SetUp() override {
    original_netns_ = netns_inode("/proc/self/ns/net");
    NetWorldEnvironment::SetUp();
  }
  void TearDown() override {
    bool made = world() != nullptr;
    NetWorldEnvironment::TearDown();
    if (!made) return;
    EXPECT_THAT(child_processes(), IsEmpty()) << "a process outlived the world";
    EXPECT_EQ(thread_count(), 1) << "a server thread outlived the world";
    // The veth pair goes with the hosts namespace, once nothing references it any more.
    std::string veths;
    EXPECT_TRUE(wait_until(
        [&] {
          veths = os::run_command({"ip", "-o", "link", "show", "type", "veth"}).value_or("?");
          return veths.empty();
        },
        milliseconds(5000)))
        << "the hosts namespace outlived the world: " << veths;
    EXPECT_THAT(child_processes(), IsEmpty());
  }
  static uint64_t original_netns() { return original_netns_; }

 private:
  static inline uint64_t original_netns_ = 0;
};

::testing::Environment* const environment =
    ::testing::AddGlobalTestEnvironment(new CheckedNetWorldEnvironment);

class NetWorldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = NetWorldEnvironment::world();
    if (world_ == nullptr) GTEST_SKIP() << NetWorldEnvironment::unavailable_reason();
  }
  NetWorld* world_ = nullptr;
};

TEST_F(NetWorldTest, TheProcessLeftTheMachineNetwork) {
  EXPECT_NE(netns_inode("/proc/self/ns/net"), CheckedNetWorldEnvironment::original_netns());
  EXPECT_NE(netns_inode("/proc/self/ns/net"), 0u);
}

TEST_F(NetWorldTest, HttpReachesThePublicHostOverV4AndV6) {
  for (auto [host, client] : {std::pair{kPublicV4, kClientV4}, std::pair{kPublicV6, kClientV6}}) {
    SCOPED_TRACE(host);
    Result<HttpResponse> response = http_get(host, kHttpPort, "/index.html");
    ASSERT_TRUE(response.has_value()) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, std::string("hello from ") + host + "\n");
    std::vector<Hit> hits = world_->http_log().hits();
    ASSERT_FALSE(hits.empty());
    EXPECT_EQ(hits.back().what, "/index.html");
    EXPECT_EQ(hits.back().ends.peer_ip, client);  // the client side of the veth
  }
}

TEST_F(NetWorldTest, EveryHostAnswersHttpIncludingPrivateAndMetadata) {
  // Reachable here, so a sandbox test that cannot reach them proves the sandbox refused.
  for (const char* host : kHostAddresses) {
    size_t before = world_->http_log().count_to(host);
    Result<HttpResponse> response = http_get(host, kHttpPort);
    ASSERT_TRUE(response.has_value()) << host << ": " << response.error().message;
    EXPECT_EQ(response->body, std::string("hello from ") + host + "\n");
    EXPECT_EQ(world_->http_log().count_to(host), before + 1) << host;
  }
}

TEST_F(NetWorldTest, BytesPathStreamsThePattern) {
  Result<HttpResponse> large = http_get(kPublic2V4, kHttpPort, "/bytes/3000000");
  ASSERT_TRUE(large.has_value()) << large.error().message;
  EXPECT_THAT(large->head, ::testing::HasSubstr("Content-Length: 3000000"));
  EXPECT_TRUE(large->body == pattern_bytes(0, 3000000)) << "size " << large->body.size();
  Result<HttpResponse> empty = http_get(kPublic2V6, kHttpPort, "/bytes/0");
  ASSERT_TRUE(empty.has_value()) << empty.error().message;
  EXPECT_EQ(empty->body, "");
}

TEST_F(NetWorldTest, ServesManyConnectionsAtOnce) {
  constexpr int kClients = 48;
  std::atomic<int> good{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      const char* host = i % 2 ? kPublicV4 : kPublicV6;
      Result<HttpResponse> response = http_get(host, kHttpPort, "/bytes/200000");
      if (response && response->body == pattern_bytes(0, 200000)) ++good;
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(good.load(), kClients);
}

TEST_F(NetWorldTest, UdpEchoAnswersFromEveryHost) {
  for (const char* host : kHostAddresses) {
    Result<std::string> echoed = udp_exchange(host, kEchoPort, std::string("ping ") + host);
    ASSERT_TRUE(echoed.has_value()) << host << ": " << echoed.error().message;
    EXPECT_EQ(*echoed, std::string("ping ") + host);
  }
  EXPECT_GE(world_->echo_log().count_to(kMetadataV6), 1u);
}

TEST_F(NetWorldTest, TcpEchoAndDiscard) {
  Result<os::Fd> echo = connect_tcp(kPublicV6, kEchoPort);
  ASSERT_TRUE(echo.has_value()) << echo.error().message;
  ASSERT_EQ(::send(echo->get(), "ping", 4, MSG_NOSIGNAL), 4);
  char buffer[4];
  ASSERT_EQ(::recv(echo->get(), buffer, sizeof(buffer), MSG_WAITALL), 4);
  EXPECT_EQ(std::string(buffer, 4), "ping");

  Result<os::Fd> sink = connect_tcp(kPublicV4, kDiscardPort);
  ASSERT_TRUE(sink.has_value()) << sink.error().message;
  uint64_t before = world_->discard_bytes();
  std::string data = pattern_bytes(0, 1 << 20);
  ASSERT_EQ(::send(sink->get(), data.data(), data.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(data.size()));
  sink->reset();
  EXPECT_TRUE(wait_until([&] { return world_->discard_bytes() >= before + data.size(); },
                         milliseconds(5000)));
}

TEST_F(NetWorldTest, DnsAnswersFromTheZoneOverUdpAndTcp) {
  world_->dns_zone().set("web.test", {kPublicV4, kPublicV6, kPublic2V4}, 30);
  size_t before = world_->dns_zone().query_count("web.test");
  for (const char* server : {kDnsV4, kDnsV6}) {
    for (bool tcp : {false, true}) {
      SCOPED_TRACE(std::string(server) + (tcp ? " tcp" : " udp"));
      Result<dns::Response> a = dns_query(server, "WEB.test", dns::kTypeA, tcp);
      ASSERT_TRUE(a.has_value()) << a.error().message;
      EXPECT_EQ(a->rcode, dns::kNoError);
      ASSERT_EQ(a->answers.size(), 2u);
      EXPECT_EQ(a->answers[0].address, kPublicV4);
      EXPECT_EQ(a->answers[1].address, kPublic2V4);
      EXPECT_EQ(a->answers[0].ttl, 30u);
      Result<dns::Response> aaaa = dns_query(server, "web.test", dns::kTypeAaaa, tcp);
      ASSERT_TRUE(aaaa.has_value()) << aaaa.error().message;
      ASSERT_EQ(aaaa->answers.size(), 1u);
      EXPECT_EQ(aaaa->answers[0].type, dns::kTypeAaaa);
      EXPECT_EQ(aaaa->answers[0].address, kPublicV6);
      Result<dns::Response> unknown = dns_query(server, "nope.test", dns::kTypeA, tcp);
      ASSERT_TRUE(unknown.has_value()) << unknown.error().message;
      EXPECT_EQ(unknown->rcode, dns::kNameError);
      EXPECT_THAT(unknown->answers, IsEmpty());
    }
  }
  EXPECT_EQ(world_->dns_zone().query_count("web.test"), before + 8);
  EXPECT_EQ(world_->dns_zone().query_count("never-asked.test"), 0u);
}

TEST_F(NetWorldTest, DnsDefaultZoneAndNoData) {
  Result<dns::Response> metadata = dns_query(kDnsV4, kMetadataName, dns::kTypeAaaa, false);
  ASSERT_TRUE(metadata.has_value()) << metadata.error().message;
  ASSERT_EQ(metadata->answers.size(), 1u);
  EXPECT_EQ(metadata->answers[0].address, kMetadataV6);
  world_->dns_zone().set("v4only.test", {kPrivateV4});
  Result<dns::Response> no_data = dns_query(kDnsV6, "v4only.test", dns::kTypeAaaa, false);
  ASSERT_TRUE(no_data.has_value()) << no_data.error().message;
  EXPECT_EQ(no_data->rcode, dns::kNoError);
  EXPECT_THAT(no_data->answers, IsEmpty());
}

TEST_F(NetWorldTest, DnsServesOnlyTheDnsAddresses) {
  // An ICMP port unreachable comes back: refused at once, not a timeout.
  Result<dns::Response> answer = dns_query(kPublicV4, kPublicName, dns::kTypeA, false);
  ASSERT_FALSE(answer.has_value());
  EXPECT_EQ(answer.error().kind, ErrorKind::kIo) << answer.error().message;
}

TEST_F(NetWorldTest, LoopbackServerAnswersInTheClientNamespace) {
  for (const char* loopback : {"127.0.0.1", "::1"}) {
    Result<HttpResponse> response = http_get(loopback, kLoopbackPort);
    ASSERT_TRUE(response.has_value()) << loopback << ": " << response.error().message;
    EXPECT_EQ(response->body, std::string("hello from ") + loopback + "\n");
  }
  EXPECT_EQ(world_->loopback_log().size(), 2u);
  // The hosts' loopback is theirs: nothing listens on the client's port there.
  EXPECT_FALSE(http_get(kPublicV4, kLoopbackPort).has_value());
}

TEST_F(NetWorldTest, NothingRoutesBeyondTheWorld) {
  // Only documentation and benchmark addresses, and only once the process is surely out of
  // the machine's namespace: this probe must not leave the world even when it is broken.
  ASSERT_NE(netns_inode("/proc/self/ns/net"), CheckedNetWorldEnvironment::original_netns());
  for (const char* outside : {"192.0.2.99", "198.18.0.1", "2001:db8:1::99"}) {
    // Every server of the world answers within a millisecond: 300 ms is plenty to tell.
    Result<os::Fd> connected = connect_tcp(outside, 80, milliseconds(300));
    EXPECT_FALSE(connected.has_value()) << outside;
  }
  Result<std::string> forwarding = world_->run_in_hosts({"cat", "/proc/sys/net/ipv4/ip_forward"});
  ASSERT_TRUE(forwarding.has_value()) << forwarding.error().message;
  EXPECT_EQ(*forwarding, "0\n");
  Result<std::string> routes = world_->run_in_hosts({"ip", "-o", "route", "show", "default"});
  ASSERT_TRUE(routes.has_value()) << routes.error().message;
  EXPECT_EQ(*routes, "") << "the hosts namespace has a way out";
}

TEST_F(NetWorldTest, ATestCanAddItsOwnServerInTheHosts) {
  os::Fd listener;
  Result<void> made = world_->in_hosts([&]() -> Result<void> {
    listener = MSB_TRY(bound_socket(SOCK_STREAM, kPublic2V4, 5000));
    return {};
  });
  ASSERT_TRUE(made.has_value()) << made.error().message;
  Result<os::Fd> connected = connect_tcp(kPublic2V4, 5000);
  ASSERT_TRUE(connected.has_value()) << connected.error().message;
  os::Fd accepted(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(accepted.valid());
  EXPECT_THAT(std::vector<std::string>{endpoints_of(accepted.get()).peer_ip},
              ElementsAre(kClientV4));
}

}  // namespace
}  // namespace msb::testing
