// NetWorld: a private, offline internet for network tests. The machine has no internet
// and a test must never send a packet anywhere but namespaces it made, so the test process
// moves itself into a fresh network namespace ("client"): everything it starts later,
// such as each sandbox's supervisor (msb-runtime, whose libslirp makes the real sockets),
// lives there too. A veth pair leads to a second namespace ("hosts") holding the hosts
// below and their servers; nothing leads anywhere else.
//
//   client netns (the test process)            hosts netns (held by an fd only)
//   lo: 127.0.0.1, ::1  loopback HTTP :8080    lo: 192.0.2.10 2001:db8::10      public
//   nw-client 198.51.100.1/24  ---- veth ----        203.0.113.10 2001:db8::20     public 2
//             2001:db8:ffff::1/64                    192.0.2.53 2001:db8::53       DNS
//   default routes via 198.51.100.2 and              10.77.0.10 fd00:77::10        private
//   2001:db8:ffff::2                                 169.254.169.254 fd00:ec2::254 metadata
//                                              nw-hosts 198.51.100.2/24 2001:db8:ffff::2/64
// Every hosts-namespace address serves HTTP on :80 ("hello from <address>\n", GET /bytes/N
// for N pattern bytes), TCP and UDP echo on :7 and a TCP discard sink on :9; the DNS
// addresses serve DNS on :53 (UDP and TCP) from dns_zone(). The loopback HTTP server
// stands for the host's own loopback services, which a sandbox must not reach by default.
//
// Use from a sandbox test binary (the environment must be registered before any thread
// starts; gtest starts none):
//
//   // once, at namespace scope in one of the binary's files:
//   ::testing::Environment* const net_env =
//       ::testing::AddGlobalTestEnvironment(new msb::testing::NetWorldEnvironment);
//
//   TEST_P(SandboxNet, WgetReachesPublicHost) {
//     MSB_NET_WORLD_OR_SKIP(world);  // NetWorld* world, or GTEST_SKIP with the reason
//     world->dns_zone().set("web.test", {kPublicV4, kPublicV6});
//     // create the sandbox with nameserver kDnsV4, then in it:
//     //   wget -qO- http://192.0.2.10/       -> "hello from 192.0.2.10\n"
//     //   wget -qO- http://web.test/         -> the same, through DNS
//     //   wget -qO- http://169.254.169.254/  -> must fail: and then
//     EXPECT_EQ(world->http_log().count_to(kMetadataV4), 0u);
//     EXPECT_EQ(world->dns_zone().query_count("denied.test"), 0u);
//   }
//
// Packets to any other address die in the hosts namespace, silently (forwarding is off,
// and Linux sends no ICMP error then): a connect there times out rather than failing.
// Helper processes the test must reach on 127.0.0.1 (local registries) have to start after
// the world, or they stay on the machine's loopback: register this environment first.
//
// The hosts namespace is held by an open fd, not by a holder process: a namespace lives as
// long as anything references it, so it goes when the world closes the fd and its server
// sockets, and when the process dies, even by a crash, with no process to leak or reap.
// Teardown takes the veth pair with it, and no process is ever left (the world starts only
// short `ip` runs). The process stays in the client namespace afterwards: it never returns
// to the machine's own network.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "net_servers.h"
#include "os/fd.h"
#include "socket_server.h"

namespace msb::testing {

// The client side of the veth: the address every connection from the test process (and
// so from each sandbox's supervisor) comes from.
inline constexpr const char* kClientV4 = "198.51.100.1";
inline constexpr const char* kClientV6 = "2001:db8:ffff::1";
// The hosts side of the veth: the client namespace's default gateway.
inline constexpr const char* kGatewayV4 = "198.51.100.2";
inline constexpr const char* kGatewayV6 = "2001:db8:ffff::2";
inline constexpr const char* kPublicV4 = "192.0.2.10";
inline constexpr const char* kPublicV6 = "2001:db8::10";
inline constexpr const char* kPublic2V4 = "203.0.113.10";
inline constexpr const char* kPublic2V6 = "2001:db8::20";
inline constexpr const char* kDnsV4 = "192.0.2.53";
inline constexpr const char* kDnsV6 = "2001:db8::53";
inline constexpr const char* kPrivateV4 = "10.77.0.10";
inline constexpr const char* kPrivateV6 = "fd00:77::10";
inline constexpr const char* kMetadataV4 = "169.254.169.254";
inline constexpr const char* kMetadataV6 = "fd00:ec2::254";
// Every address of the hosts namespace's hosts (not the gateway), v4 then v6 pairs.
inline constexpr const char* kHostAddresses[] = {kPublicV4,   kPublicV6,  kPublic2V4, kPublic2V6,
                                                 kDnsV4,      kDnsV6,     kPrivateV4, kPrivateV6,
                                                 kMetadataV4, kMetadataV6};

inline constexpr uint16_t kEchoPort = 7;         // TCP and UDP echo, every host
inline constexpr uint16_t kDiscardPort = 9;      // TCP sink, every host
inline constexpr uint16_t kDnsPort = 53;         // kDnsV4 and kDnsV6 only
inline constexpr uint16_t kHttpPort = 80;        // every host
inline constexpr uint16_t kLoopbackPort = 8080;  // 127.0.0.1 and ::1 in the client namespace

// Names in the zone at start (dns_zone() can change them): each has its host's v4 and v6.
inline constexpr const char* kPublicName = "public.test";
inline constexpr const char* kPublic2Name = "public2.test";
inline constexpr const char* kPrivateName = "private.test";
inline constexpr const char* kMetadataName = "metadata.test";

class NetWorld {
 public:
  // Moves the calling process into a new client network namespace and builds the world
  // (about 0.1 s). Errors: kUnsupported when this machine cannot make network namespaces
  // (not root, unshare refused): tests skip on it; kInvalidArgument when threads already
  // run (they would stay on the machine's network); kIo with the failing `ip` command and
  // its stderr, or the failing socket call. After an error the process may be left in an
  // empty network namespace. REQUIRES: single-threaded caller. Not thread-safe.
  static Result<std::unique_ptr<NetWorld>> create();
  NetWorld(const NetWorld&) = delete;
  NetWorld& operator=(const NetWorld&) = delete;
  // Stops and joins the servers, closes every socket and the hosts namespace fd.
  ~NetWorld();

  // The DNS server's names. Thread-safe.
  DnsZone& dns_zone() { return dns_zone_; }
  // What reached each server (HitLog::count_to(kMetadataV4) and so on). Thread-safe.
  const HitLog& http_log() const { return http_log_; }
  const HitLog& echo_log() const { return echo_log_; }
  const HitLog& discard_log() const { return discard_log_; }
  const HitLog& dns_log() const { return dns_log_; }
  const HitLog& loopback_log() const { return loopback_log_; }
  // Bytes the discard servers have received in total. Thread-safe.
  uint64_t discard_bytes() const { return discard_bytes_.load(); }

  // An fd of the hosts network namespace, for setns(2). Owned by the world.
  int hosts_netns() const { return hosts_netns_.get(); }
  // Runs `body` on a short-lived thread inside the hosts namespace and returns its result,
  // e.g. to make a socket there for a test's own server (bound_socket in net_probe.h):
  // sockets stay in the namespace they were made in. Processes the body starts run there
  // too. Errors: kIo (setns), or the body's. Thread-safe.
  Result<void> in_hosts(const std::function<Result<void>()>& body) const;
  // Runs a tool in the hosts namespace (e.g. {"ss", "-tan"}) and returns its output.
  // Errors: kNotFound, kIo "<tool> exited with N: <output>". Thread-safe.
  Result<std::string> run_in_hosts(const std::vector<std::string>& argv) const;

 private:
  NetWorld() = default;
  Result<void> make_namespaces();
  Result<void> configure_hosts();
  Result<void> configure_client();
  Result<void> start_servers();
  Result<void> make_hosts_sockets();
  // Runs `ip -batch` with `batch` in the calling thread's namespace; the child sees the
  // client namespace as fd 3 (for "netns /proc/self/fd/3"). kIo with its output.
  Result<void> run_ip(const std::string& batch) const;

  os::Fd hosts_netns_;
  os::Fd client_netns_;
  uint64_t original_netns_inode_ = 0;  // the machine's: no command may run there
  DnsZone dns_zone_;
  HitLog http_log_, echo_log_, discard_log_, dns_log_, loopback_log_;
  std::atomic<uint64_t> discard_bytes_{0};
  // Servers last: they stop (joining their threads) before the logs above go.
  SocketServer hosts_server_;     // HTTP, echo, discard on every host address
  SocketServer dns_server_;       // DNS on kDnsV4 and kDnsV6
  SocketServer loopback_server_;  // HTTP on the client namespace's loopback
};

// A gtest global environment holding one NetWorld for the whole test binary: SetUp creates
// it (or records why it cannot), TearDown destroys it. Register it before RUN_ALL_TESTS
// (AddGlobalTestEnvironment at namespace scope does).
class NetWorldEnvironment : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;

  // The world, or nullptr when it could not be made (then unavailable_reason() says why).
  static NetWorld* world();
  static const std::string& unavailable_reason();
};

}  // namespace msb::testing

// Declares `NetWorld* var` bound to the environment's world, or skips the test with the
// reason it is missing. Use at the top of a test body or a fixture's SetUp.
#define MSB_NET_WORLD_OR_SKIP(var)                                                    \
  ::msb::testing::NetWorld* const var = ::msb::testing::NetWorldEnvironment::world(); \
  if (var == nullptr) GTEST_SKIP() << ::msb::testing::NetWorldEnvironment::unavailable_reason()
