#include "runtime/runtime_main.h"

#include <signal.h>

#include <charconv>

#include "common/log.h"
#include "common/paths.h"
#include "os/file.h"
#include "os/io.h"
#include "os/system.h"
#include "runtime/sandbox_runtime.h"
#include "runtime/startup_status.h"

namespace msb::runtime {
namespace {

Result<int> parse_fd(const std::string& flag, const std::string& text) {
  int fd = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), fd);
  if (ec != std::errc() || end != text.data() + text.size() || fd < 3)
    return err(ErrorKind::kInvalidArgument, "{} expects a descriptor number >= 3, got '{}'", flag,
               text);
  return fd;
}

void report_failure(int status_fd, const Error& error) {
  if (status_fd < 0) return;
  StartupStatus status{false, os::current_pid(), error.kind, error.message};
  (void)os::write_all(status_fd, encode_startup_status(status));
}

}  // namespace

Result<RuntimeArgs> parse_runtime_args(const std::vector<std::string>& args) {
  RuntimeArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (i + 1 >= args.size())
      return err(ErrorKind::kInvalidArgument, "{}: missing value (or unknown flag)", flag);
    const std::string& value = args[++i];
    if (flag == "--name") {
      parsed.name = value;
    } else if (flag == "--status-fd") {
      parsed.status_fd = MSB_TRY(parse_fd(flag, value));
    } else if (flag == "--watchdog-fd") {
      parsed.watchdog_fd = MSB_TRY(parse_fd(flag, value));
    } else {
      return err(ErrorKind::kInvalidArgument, "unknown flag '{}'", flag);
    }
  }
  if (parsed.name.empty()) return err(ErrorKind::kInvalidArgument, "--name is required");
  return parsed;
}

Result<int> runtime_main(const std::vector<std::string>& args) {
  RuntimeArgs parsed = MSB_TRY(parse_runtime_args(args));
  MSB_TRY(os::fork_into_background());
  os::ignore_signal(SIGPIPE);
  RuntimeOptions options;
  options.name = parsed.name;
  options.home = msb_home();
  options.status_fd = parsed.status_fd;
  options.watchdog_fd = parsed.watchdog_fd;
  SandboxPaths paths = sandbox_paths(options.home, options.name);
  if (os::make_dirs(paths.logs)) (void)set_log_file(paths.runtime_log);
  set_log_level(spdlog::level::info);

  Result<os::SignalFd> signals = os::SignalFd::create({SIGTERM, SIGINT, SIGHUP, SIGUSR1});
  Result<std::unique_ptr<SandboxRuntime>> runtime =
      signals ? SandboxRuntime::create(options, std::move(*signals))
              : tl::unexpected(signals.error());
  if (!runtime) {
    logger("runtime")->error("cannot supervise sandbox '{}': {}", options.name,
                             runtime.error().message);
    report_failure(options.status_fd, runtime.error());
    return 1;
  }
  return (*runtime)->run();
}

}  // namespace msb::runtime
