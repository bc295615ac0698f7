#include "test_registry.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "os/io.h"

namespace msb::testing {
namespace {

using namespace std::chrono_literals;

// A port nobody listens on right now (bind to 0, read it back, close). Another process
// may take it before the server does; callers retry.
Result<int> free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno_error(errno, "socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
    port = ntohs(address.sin_port);
  ::close(fd);
  if (port < 0) return err(ErrorKind::kIo, "no free port");
  return port;
}

std::string tail(const std::string& path) {
  std::string text = os::read_file(path).value_or("");
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

Result<os::ChildProcess> spawn_logged(std::vector<std::string> argv, const std::string& log) {
  os::Fd out = MSB_TRY(os::open_file(log, O_WRONLY | O_CREAT | O_APPEND, 0644));
  return os::ChildProcess::spawn(os::SpawnOptions{.argv = std::move(argv),
                                                  .fds = {{out.get(), 1}, {out.get(), 2}},
                                                  .parent_death_signal = SIGKILL});
}

// Runs a command to completion (2 minutes at most); its output goes to `log`.
Result<void> run(std::vector<std::string> argv, const std::string& log) {
  std::string name = argv[0];
  os::ChildProcess child = MSB_TRY(spawn_logged(std::move(argv), log));
  std::optional<os::ExitStatus> status = MSB_TRY(child.wait_for(120s));
  if (!status) return err(ErrorKind::kTimeout, "{} timed out: {}", name, tail(log));
  if (!status->success())
    return err(ErrorKind::kIo, "{} exited {}: {}", name, status->shell_code(), tail(log));
  return {};
}

// Waits until `ready()` or the process exits (false) or 20 s pass (error).
Result<bool> wait_until(os::ChildProcess& child, const std::function<bool()>& ready) {
  for (auto deadline = std::chrono::steady_clock::now() + 20s;
       std::chrono::steady_clock::now() < deadline;) {
    if (ready()) return true;
    if (MSB_TRY(child.try_wait())) return false;
    std::this_thread::sleep_for(20ms);
  }
  return err(ErrorKind::kTimeout, "server did not start within 20 s");
}

}  // namespace

Result<std::unique_ptr<TestRegistry>> TestRegistry::start(bool push_images) {
  os::TempDir dir = MSB_TRY(os::TempDir::create("msb-test-registry-"));
  std::unique_ptr<TestRegistry> registry(new TestRegistry(std::move(dir)));
  MSB_TRY(registry->build_fixtures());
  std::string htpasswd = registry->dir() + "/htpasswd";
  MSB_TRY(run({"sh", "-c", fmt::format("htpasswd -Bbn {} {} > {}", kUser, kPassword, htpasswd)},
              registry->dir() + "/htpasswd.log"));
  MSB_TRY(registry->start_registry("plain", "", registry->plain_port_));
  MSB_TRY(registry->start_registry(
      "basic", fmt::format("auth:\n  htpasswd:\n    realm: msb-test\n    path: {}\n", htpasswd),
      registry->basic_port_));
  MSB_TRY(registry->start_proxy());
  if (push_images) {
    MSB_TRY(registry->push("busybox", "busybox", false));
    MSB_TRY(registry->push("multilayer", "multilayer", false));
    MSB_TRY(registry->push("multiarch", "multiarch", true));
    MSB_TRY(registry->push("busybox", "private/busybox", false));
  }
  return registry;
}

Result<void> TestRegistry::build_fixtures(bool large) {
  fixture_dir_ = MSB_FIXTURE_CACHE;
  std::vector<std::string> argv = {
      "python3", MSB_SOURCE_DIR "/tests/fixtures/images/build_images.py", "--out", fixture_dir_};
  if (large) argv.push_back("--large");
  MSB_TRY(run(std::move(argv), dir() + "/build_images.log"));
  std::string text = MSB_TRY(os::read_file(fixture_dir_ + "/fixtures.json"));
  fixtures_ = nlohmann::json::parse(text, nullptr, false);
  if (fixtures_.is_discarded()) return err(ErrorKind::kIo, "fixtures.json is not JSON");
  return {};
}

Result<void> TestRegistry::start_registry(const std::string& name, const std::string& auth_yaml,
                                          int& port) {
  std::string config = dir() + "/" + name + ".yml";
  std::string log = dir() + "/" + name + ".log";
  for (int attempt = 0; attempt < 5; ++attempt) {
    port = MSB_TRY(free_port());
    MSB_TRY(os::write_file(config, fmt::format("version: 0.1\nlog:\n  level: info\n"
                                               "storage:\n  filesystem:\n    rootdirectory: {}\n"
                                               "http:\n  addr: 127.0.0.1:{}\n{}",
                                               dir() + "/storage", port, auth_yaml)));
    os::ChildProcess child = MSB_TRY(spawn_logged({"docker-registry", "serve", config}, log));
    bool up = MSB_TRY(wait_until(child, [&] {
      return os::read_file(log).value_or("").find(fmt::format("listening on 127.0.0.1:{}", port)) !=
             std::string::npos;
    }));
    if (up) {
      processes_.push_back(std::move(child));
      return {};
    }
  }
  return err(ErrorKind::kIo, "docker-registry ({}) did not start: {}", name, tail(log));
}

Result<void> TestRegistry::start_proxy() {
  std::string state = dir() + "/proxy";
  MSB_TRY(os::make_dirs(state));
  os::ChildProcess child =
      MSB_TRY(spawn_logged({"python3", MSB_SOURCE_DIR "/tests/fixtures/registry/auth_proxy.py",
                            "--upstream", "http://" + plain_host(), "--state-dir", state, "--user",
                            std::string(kUser) + ":" + kPassword},
                           dir() + "/proxy.log"));
  bool up = MSB_TRY(wait_until(child, [&] { return os::path_exists(state + "/port"); }));
  if (!up) return err(ErrorKind::kIo, "auth_proxy.py exited: {}", tail(dir() + "/proxy.log"));
  bearer_port_ = std::stoi(MSB_TRY(os::read_file(state + "/port")));
  processes_.push_back(std::move(child));
  return {};
}

Result<void> TestRegistry::push(const std::string& image, const std::string& repository, bool all) {
  std::vector<std::string> argv = {"skopeo", "--insecure-policy",       "copy",
                                   "-q",     "--dest-tls-verify=false", "--preserve-digests"};
  if (all) argv.push_back("--all");
  argv.push_back("oci:" + fixture_dir_ + "/" + image + ":latest");
  argv.push_back("docker://" + plain_host() + "/" + repository + ":latest");
  return run(std::move(argv), dir() + "/skopeo.log").context("push {}", image);
}

Result<void> TestRegistry::push_large() {
  MSB_TRY(build_fixtures(/*large=*/true));
  return push("large", "large", false);
}

Result<void> TestRegistry::set_faults(const std::string& rules_json) {
  return os::write_file_atomic(dir() + "/proxy/faults.json", rules_json);
}

std::vector<ProxyRequest> TestRegistry::proxy_requests() const {
  std::vector<ProxyRequest> requests;
  std::istringstream lines(os::read_file(dir() + "/proxy/requests.log").value_or(""));
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json entry = nlohmann::json::parse(line, nullptr, false);
    if (!entry.is_object()) continue;
    requests.push_back(ProxyRequest{entry.value("method", ""), entry.value("path", ""),
                                    entry.value("range", ""), entry.value("host", ""),
                                    entry.value("status", 0), entry.value("auth", false)});
  }
  return requests;
}

std::vector<ProxyRequest> TestRegistry::proxy_requests(const std::string& fragment) const {
  std::vector<ProxyRequest> matching;
  for (ProxyRequest& request : proxy_requests()) {
    if (request.path.find(fragment) != std::string::npos) matching.push_back(std::move(request));
  }
  return matching;
}

std::vector<int> processes_mentioning(const std::string& text) {
  std::vector<int> pids;
  Result<os::TempDir> dir = os::TempDir::create("msb-pgrep-");
  if (!dir) return pids;
  std::string out = dir->path() + "/out";
  // pgrep exits 1 when nothing matches: only its output matters.
  (void)run({"pgrep", "-f", "--", text}, out);
  std::istringstream lines(os::read_file(out).value_or(""));
  for (int pid = 0; lines >> pid;) {
    if (pid != ::getpid()) pids.push_back(pid);
  }
  return pids;
}

}  // namespace msb::testing
