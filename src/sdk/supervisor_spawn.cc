#include "sdk/supervisor_spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cstdlib>

#include "common/paths.h"
#include "os/child_process.h"
#include "os/clock.h"
#include "os/file.h"
#include "os/io.h"
#include "os/self_location.h"
#include "runtime/startup_status.h"

namespace msb::sdk {
namespace {

constexpr int kStatusFdInChild = 3;
constexpr int kWatchdogFdInChild = 4;

// Reads the supervisor's one status line (it closes the pipe after it, or dies).
Result<std::string> read_status(int fd, std::chrono::milliseconds timeout) {
  std::string text;
  uint64_t deadline = os::monotonic_ns() + uint64_t(timeout.count()) * 1'000'000;
  char buffer[4096];
  for (;;) {
    uint64_t now = os::monotonic_ns();
    if (now >= deadline)
      return err(ErrorKind::kTimeout, "the sandbox did not come up within {} s",
                 timeout.count() / 1000);
    pollfd entry{fd, POLLIN, 0};
    MSB_TRY(os::poll_fds({&entry, 1}, static_cast<int>((deadline - now) / 1'000'000) + 1));
    if (!(entry.revents & (POLLIN | POLLHUP | POLLERR))) continue;
    size_t got = MSB_TRY(os::read_some(fd, buffer));
    if (got == 0) return text;
    text.append(buffer, got);
  }
}

}  // namespace

Result<std::string> find_runtime_binary() {
  const char* configured = std::getenv("MSB_RUNTIME");
  if (configured && *configured) {
    if (os::is_regular_file(configured)) return std::string(configured);
    return err(ErrorKind::kNotFound, "MSB_RUNTIME={} does not exist", configured);
  }
  // Beside the program (msb itself, the tests); then where an install puts it for the SDK
  // library that runs this code: <prefix>/lib/libmicrosandbox.so -> <prefix>/bin/.
  std::string own_dir = os::executable_dir();
  if (!own_dir.empty() && os::is_regular_file(own_dir + "/msb-runtime"))
    return own_dir + "/msb-runtime";
  std::string library_dir = os::object_dir(reinterpret_cast<const void*>(&find_runtime_binary));
  if (!library_dir.empty()) {
    std::string installed = library_dir + "/" MSB_LIBDIR_TO_BINDIR "/msb-runtime";
    if (os::is_regular_file(installed)) return installed;
  }
  return std::move(os::find_host_executable("msb-runtime"))
      .context("find the sandbox supervisor msb-runtime");
}

Result<SpawnedSupervisor> spawn_supervisor(const std::string& name, bool attached,
                                           std::chrono::milliseconds timeout) {
  std::string runtime = MSB_TRY(find_runtime_binary());
  os::PipePair status = MSB_TRY(os::make_pipe());
  os::SpawnOptions options;
  options.argv = {runtime, "--name", name, "--status-fd", std::to_string(kStatusFdInChild)};
  options.fds = {{status.write.get(), kStatusFdInChild}};
  // Its own session: a Ctrl-C meant for the creator's terminal must not reach the sandbox.
  options.new_session = true;
  SpawnedSupervisor spawned;
  os::PipePair watchdog;
  if (attached) {
    watchdog = MSB_TRY(os::make_pipe());
    options.argv.insert(options.argv.end(), {"--watchdog-fd", std::to_string(kWatchdogFdInChild)});
    options.fds.push_back({watchdog.read.get(), kWatchdogFdInChild});
  }
  os::ChildProcess child = MSB_TRY(std::move(os::ChildProcess::spawn(options))
                                       .context("start the supervisor of sandbox '{}'", name));
  status.write.reset();
  watchdog.read.reset();
  // The child forks the real supervisor into the background and exits at once.
  os::ExitStatus launcher = MSB_TRY(child.wait());
  std::string text = MSB_TRY(read_status(status.read.get(), timeout));
  if (text.empty()) {
    return err(ErrorKind::kBootFailed,
               "the supervisor of sandbox '{}' exited (status {}) without reporting; see {}", name,
               launcher.shell_code(), sandbox_paths(msb_home(), name).runtime_log);
  }
  runtime::StartupStatus reported = MSB_TRY(runtime::decode_startup_status(text));
  if (!reported.ok) return make_error(reported.kind, reported.message);
  spawned.pid = reported.pid;
  spawned.watchdog = std::move(watchdog.write);
  return spawned;
}

}  // namespace msb::sdk
