#include "network_suite.h"

namespace msb::testing {
namespace {

// Before any thread: the whole test process moves into the world's client namespace.
::testing::Environment* const net_world_env =
    ::testing::AddGlobalTestEnvironment(new NetWorldEnvironment);

}  // namespace

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

}  // namespace msb::testing
