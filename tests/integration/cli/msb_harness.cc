#include "msb_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>

#include <filesystem>

#include "os/clock.h"
#include "os/io.h"
#include "os/process_stat.h"
#include "wait_until.h"

extern char** environ;

namespace msb::testing {

MsbHarness::MsbHarness() : home_(std::move(*os::TempDir::create("msb-it-"))) {
  for (char** entry = environ; *entry; ++entry) {
    std::string text = *entry;
    size_t eq = text.find('=');
    if (eq != std::string::npos && !text.starts_with("MSB_"))
      env_[text.substr(0, eq)] = text.substr(eq + 1);
  }
  env_["MSB_HOME"] = home_.path();
}

os::SpawnOptions MsbHarness::spawn_options(const std::vector<std::string>& args) const {
  os::SpawnOptions options;
  options.argv = {MSB_BIN};
  std::vector<std::string> engine_args = with_test_isolation(args);
  options.argv.insert(options.argv.end(), engine_args.begin(), engine_args.end());
  std::vector<std::string> env;
  for (const auto& [key, value] : env_) env.push_back(key + "=" + value);
  options.env = env;
  return options;
}

MsbResult MsbHarness::run(const std::vector<std::string>& args, std::chrono::seconds timeout,
                          const std::string& stdin_path) {
  os::PipePair out = std::move(*os::make_pipe(O_NONBLOCK));
  os::PipePair err = std::move(*os::make_pipe(O_NONBLOCK));
  os::SpawnOptions options = spawn_options(args);
  options.fds = {{out.write.get(), 1}, {err.write.get(), 2}};
  os::Fd input;
  if (!stdin_path.empty()) {
    Result<os::Fd> opened = os::open_file(stdin_path, O_RDONLY | O_CLOEXEC);
    if (!opened) return MsbResult{-1, "", "open " + stdin_path + ": " + opened.error().message};
    input = std::move(*opened);
    options.fds.emplace_back(input.get(), 0);
  }
  Result<os::ChildProcess> child = os::ChildProcess::spawn(options);
  if (!child) return MsbResult{-1, "", "spawn failed: " + child.error().message};
  out.write.reset();
  err.write.reset();
  MsbResult result;
  uint64_t deadline = os::monotonic_ns() + uint64_t(timeout.count()) * 1'000'000'000;
  bool out_open = true, err_open = true;
  char buffer[65536];
  while ((out_open || err_open) && os::monotonic_ns() < deadline) {
    pollfd fds[2] = {{out_open ? out.read.get() : -1, POLLIN, 0},
                     {err_open ? err.read.get() : -1, POLLIN, 0}};
    (void)os::poll_fds(fds, 1000);
    for (int i = 0; i < 2; ++i) {
      if (!fds[i].revents) continue;
      Result<size_t> n = os::read_some(fds[i].fd, buffer);
      if (!n && n.error().sys_errno == EAGAIN) continue;
      bool& open = i == 0 ? out_open : err_open;
      if (!n || *n == 0) {
        open = false;
        continue;
      }
      (i == 0 ? result.out : result.err).append(buffer, *n);
    }
  }
  Result<std::optional<os::ExitStatus>> status = child->wait_for(std::chrono::milliseconds(
      std::max<int64_t>(0, int64_t(deadline - os::monotonic_ns()) / 1'000'000)));
  if (!status || !*status) {
    (void)child->kill_and_wait();
    result.err += "\n[harness: msb timed out and was killed]";
    return result;
  }
  result.exit_code = (*status)->shell_code();
  return result;
}

os::ChildProcess MsbHarness::start(const std::vector<std::string>& args, int stdout_fd) {
  os::Fd out = std::move(*os::open_file(home_.path() + "/start.out", O_WRONLY | O_CREAT | O_TRUNC));
  os::Fd err = std::move(*os::open_file(home_.path() + "/start.err", O_WRONLY | O_CREAT | O_TRUNC));
  os::SpawnOptions options = spawn_options(args);
  options.fds = {{stdout_fd >= 0 ? stdout_fd : out.get(), 1}, {err.get(), 2}};
  return std::move(*os::ChildProcess::spawn(options));
}

std::string MsbHarness::started_stderr() const {
  Result<std::string> text = os::read_file(home_.path() + "/start.err");
  return text ? *text : "";
}

// A namespace sandbox's init (msb-agentd, clean environment) whose parent runs with our
// $MSB_HOME.
bool MsbHarness::is_our_namespace_init(const std::string& proc_dir) const {
  std::string parent = namespace_init_parent(proc_dir);
  if (parent.empty()) return false;
  Result<std::string> environment = os::read_file("/proc/" + parent + "/environ");
  std::string entry = "MSB_HOME=" + home_.path();
  entry.push_back('\0');
  return environment && environment->find(entry) != std::string::npos;
}

std::vector<int> MsbHarness::live_qemu_pids() const {
  std::vector<int> pids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    Result<std::string> cmdline = os::read_file(entry.path().string() + "/cmdline");
    if (!cmdline) continue;
    if ((cmdline->find("qemu-system") != std::string::npos &&
         cmdline->find(home_.path()) != std::string::npos) ||
        is_our_namespace_init(entry.path().string())) {
      std::optional<os::ProcessStat> stat = os::ProcessStat::read(std::stoi(name));
      // A zombie is dead; only its parent's reaping is missing (and checked elsewhere).
      if (stat && !stat->alive()) continue;
      pids.push_back(std::stoi(name));
    }
  }
  return pids;
}

bool MsbHarness::wait_no_qemu(std::chrono::milliseconds timeout) const {
  return wait_until([&] { return live_qemu_pids().empty(); }, timeout);
}

std::vector<std::string> MsbHarness::leftover_run_dirs() const {
  std::vector<std::string> names;
  std::error_code ec;
  // Named sandboxes' run/<name> and unnamed runs' run/.foreground/run-*; the .foreground
  // parent itself stays.
  for (const std::string& parent : {home_.path() + "/run", home_.path() + "/run/.foreground"}) {
    for (const auto& entry : std::filesystem::directory_iterator(parent, ec)) {
      if (entry.path().filename() != ".foreground") names.push_back(entry.path().filename());
    }
  }
  return names;
}

}  // namespace msb::testing
