#include "net_world.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>
#include <tuple>

#include "net_probe.h"
#include "os/child_process.h"
#include "os/io.h"
#include "os/run_command.h"

namespace msb::testing {
namespace {

constexpr const char* kHostsVeth = "nw-hosts";
constexpr const char* kClientVeth = "nw-client";
constexpr const char* kThreadNetns = "/proc/thread-self/ns/net";
// The fd number under which `ip` gets the client namespace, to move the veth peer there.
constexpr int kClientNetnsChildFd = 3;

uint64_t thread_netns_inode() {
  struct stat status {};
  MSB_CHECK(::stat(kThreadNetns, &status) == 0);
  return status.st_ino;
}

uint64_t netns_inode(int fd) {
  struct stat status {};
  MSB_CHECK(::fstat(fd, &status) == 0);
  return status.st_ino;
}

Result<os::Fd> open_thread_netns() {
  os::Fd fd(::open(kThreadNetns, O_RDONLY | O_CLOEXEC));
  if (!fd) return errno_error(errno, std::string("open ") + kThreadNetns);
  return fd;
}

// Writes one /proc/sys file; /proc/sys/net shows the calling thread's network namespace.
Result<void> write_sysctl(const std::string& key, const std::string& value) {
  std::string path = "/proc/sys/net/" + key;
  os::Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return errno_error(errno, "open " + path);
  return os::write_all(fd.get(), value).context("write {}", path);
}

// No forwarding (neither namespace routes anything on) and no IPv6 duplicate address
// detection, so that v6 addresses work at once instead of after a second of "tentative".
// Addresses are also added "nodad": without it even a loopback address stays tentative
// (bind fails with EADDRNOTAVAIL) until the kernel's address work item has run.
Result<void> set_namespace_sysctls() {
  for (const char* key : {"ipv4/ip_forward", "ipv6/conf/all/forwarding"})
    MSB_TRY(write_sysctl(key, "0"));
  for (const char* key : {"ipv6/conf/all/accept_dad", "ipv6/conf/default/accept_dad"})
    MSB_TRY(write_sysctl(key, "0"));
  return {};
}

bool is_v6(const std::string& address) { return address.find(':') != std::string::npos; }

}  // namespace

Result<std::unique_ptr<NetWorld>> NetWorld::create() {
  std::unique_ptr<NetWorld> world(new NetWorld);
  MSB_TRY(world->make_namespaces());
  // The client's sysctls before the veth exists: its IPv6 settings copy the defaults.
  MSB_TRY(set_namespace_sysctls().context("client namespace"));
  MSB_TRY(world->in_hosts([&] { return world->configure_hosts(); }));
  MSB_TRY(world->configure_client());
  MSB_TRY(world->start_servers());
  for (auto [name, v4, v6] : {std::tuple{kPublicName, kPublicV4, kPublicV6},
                              std::tuple{kPublic2Name, kPublic2V4, kPublic2V6},
                              std::tuple{kPrivateName, kPrivateV4, kPrivateV6},
                              std::tuple{kMetadataName, kMetadataV4, kMetadataV6}})
    world->dns_zone_.set(name, {v4, v6});
  return world;
}

NetWorld::~NetWorld() {
  // The servers reference the logs and the zone: they stop first. Closing their sockets
  // and then hosts_netns_ drops the last references to the hosts namespace, which takes
  // the veth pair with it.
  loopback_server_.stop();
  dns_server_.stop();
  hosts_server_.stop();
}

Result<void> NetWorld::make_namespaces() {
  if (::geteuid() != 0)
    return err(ErrorKind::kUnsupported, "network namespaces need root (euid {})", ::geteuid());
  // unshare moves only the calling thread: a thread already running would stay on the
  // machine's network, and so would whatever it starts.
  if (int threads = thread_count(); threads != 1)
    return err(ErrorKind::kInvalidArgument,
               "NetWorld::create must run before any thread starts ({} threads run)", threads);
  original_netns_inode_ = thread_netns_inode();
  for (os::Fd* netns : {&hosts_netns_, &client_netns_}) {
    if (::unshare(CLONE_NEWNET) != 0)
      return make_error(ErrorKind::kUnsupported,
                        std::string("unshare(CLONE_NEWNET): ") + strerror(errno), errno);
    *netns = MSB_TRY(open_thread_netns());
  }
  // SECURITY: every later `ip` command runs in one of these two, never on the machine's.
  MSB_CHECK(netns_inode(hosts_netns_.get()) != original_netns_inode_);
  MSB_CHECK(netns_inode(client_netns_.get()) != original_netns_inode_);
  MSB_CHECK(thread_netns_inode() == netns_inode(client_netns_.get()));
  return {};
}

Result<void> NetWorld::configure_hosts() {
  MSB_TRY(set_namespace_sysctls().context("hosts namespace"));
  std::string batch = "link set lo up\n";
  for (std::string address : kHostAddresses)
    batch += "addr add " + address + (is_v6(address) ? "/128 dev lo nodad\n" : "/32 dev lo\n");
  batch += fmt::format("link add {} type veth peer name {} netns /proc/self/fd/{}\n", kHostsVeth,
                       kClientVeth, kClientNetnsChildFd);
  batch += fmt::format("link set {} up\n", kHostsVeth);
  batch += fmt::format("addr add {}/24 dev {}\n", kGatewayV4, kHostsVeth);
  batch += fmt::format("addr add {}/64 dev {} nodad\n", kGatewayV6, kHostsVeth);
  MSB_TRY(run_ip(batch).context("hosts namespace"));
  return make_hosts_sockets();
}

Result<void> NetWorld::configure_client() {
  std::string batch = "link set lo up\n";
  batch += fmt::format("link set {} up\n", kClientVeth);
  batch += fmt::format("addr add {}/24 dev {}\n", kClientV4, kClientVeth);
  batch += fmt::format("addr add {}/64 dev {} nodad\n", kClientV6, kClientVeth);
  batch += fmt::format("route add default via {}\n", kGatewayV4);
  batch += fmt::format("route add ::/0 via {}\n", kGatewayV6);
  MSB_TRY(run_ip(batch).context("client namespace"));
  for (const char* loopback : {"127.0.0.1", "::1"})
    loopback_server_.add_listener(MSB_TRY(bound_socket(SOCK_STREAM, loopback, kLoopbackPort)),
                                  http_handler(loopback_log_));
  return {};
}

Result<void> NetWorld::make_hosts_sockets() {
  for (const char* any : {"0.0.0.0", "::"}) {
    hosts_server_.add_listener(MSB_TRY(bound_socket(SOCK_STREAM, any, kHttpPort)),
                               http_handler(http_log_));
    hosts_server_.add_listener(MSB_TRY(bound_socket(SOCK_STREAM, any, kEchoPort)),
                               echo_stream_handler(echo_log_));
    hosts_server_.add_listener(MSB_TRY(bound_socket(SOCK_STREAM, any, kDiscardPort)),
                               discard_handler(discard_log_, &discard_bytes_));
  }
  // UDP per address, not on the wildcard: a reply must leave from the address the client
  // sent to, or its connected socket drops it.
  for (const char* host : kHostAddresses)
    hosts_server_.add_datagram_socket(MSB_TRY(bound_socket(SOCK_DGRAM, host, kEchoPort)),
                                      echo_datagram_handler(echo_log_));
  for (const char* dns : {kDnsV4, kDnsV6}) {
    dns_server_.add_datagram_socket(MSB_TRY(bound_socket(SOCK_DGRAM, dns, kDnsPort)),
                                    dns_datagram_handler(dns_zone_, dns_log_));
    dns_server_.add_listener(MSB_TRY(bound_socket(SOCK_STREAM, dns, kDnsPort)),
                             dns_stream_handler(dns_zone_, dns_log_));
  }
  return {};
}

Result<void> NetWorld::start_servers() {
  MSB_TRY(hosts_server_.start());
  MSB_TRY(dns_server_.start());
  return loopback_server_.start();
}

Result<void> NetWorld::run_ip(const std::string& batch) const {
  // SECURITY: never configure the machine's own network.
  MSB_CHECK(thread_netns_inode() != original_netns_inode_);
  os::PipePair input = MSB_TRY(os::make_pipe());
  MSB_TRY(os::write_all(input.write.get(), batch));  // small: fits in the pipe buffer
  input.write.reset();
  os::PipePair output = MSB_TRY(os::make_pipe());
  os::SpawnOptions options;
  options.argv = {"ip", "-batch", "-"};
  options.fds = {{input.read.get(), 0},
                 {output.write.get(), 1},
                 {output.write.get(), 2},
                 {client_netns_.get(), kClientNetnsChildFd}};
  os::ChildProcess ip = MSB_TRY(os::ChildProcess::spawn(options));
  output.write.reset();
  std::string printed = MSB_TRY(os::read_to_end(output.read.get()));
  os::ExitStatus status = MSB_TRY(ip.wait());
  if (!status.success())
    return err(ErrorKind::kIo, "ip -batch exited with {}: {}\nbatch:\n{}", status.shell_code(),
               printed, batch);
  return {};
}

Result<void> NetWorld::in_hosts(const std::function<Result<void>()>& body) const {
  Result<void> result;
  std::thread thread([&] {
    if (::setns(hosts_netns_.get(), CLONE_NEWNET) != 0) {
      result = errno_error(errno, "setns into the hosts namespace");
      return;
    }
    result = body();
  });
  thread.join();
  return result;
}

Result<std::string> NetWorld::run_in_hosts(const std::vector<std::string>& argv) const {
  std::string printed;
  MSB_TRY(in_hosts([&]() -> Result<void> {
    printed = MSB_TRY(os::run_command(argv));
    return {};
  }));
  return printed;
}

namespace {

std::unique_ptr<NetWorld>& environment_world() {
  static std::unique_ptr<NetWorld> world;
  return world;
}

std::string& environment_reason() {
  static std::string reason = "no NetWorldEnvironment is registered in this test binary";
  return reason;
}

}  // namespace

void NetWorldEnvironment::SetUp() {
  Result<std::unique_ptr<NetWorld>> made = NetWorld::create();
  if (made) {
    environment_world() = std::move(*made);
    environment_reason().clear();
    return;
  }
  environment_reason() = "no net world: " + made.error().message;
  // Only a machine that cannot make namespaces at all skips; anything else is a bug.
  if (made.error().kind != ErrorKind::kUnsupported) ADD_FAILURE() << environment_reason();
}

void NetWorldEnvironment::TearDown() {
  environment_world().reset();
  environment_reason() = "the net world is torn down";
}

NetWorld* NetWorldEnvironment::world() { return environment_world().get(); }

const std::string& NetWorldEnvironment::unavailable_reason() { return environment_reason(); }

}  // namespace msb::testing
