#include "cli/run_command.h"

#include <signal.h>

#include <nlohmann/json.hpp>

#include "cli/out.h"
#include "common/paths.h"
#include "engine/engine.h"
#include "engine/vm/guest_kit.h"
#include "engine/vm/upper_disk.h"
#include "os/file.h"
#include "os/signals.h"
#include "runtime/foreground_run.h"
#include "runtime/run_dir.h"

namespace msb::cli {
namespace {

Result<std::string> image_path(const std::string& image, const engine::vm::GuestKit& kit) {
  if (image == "base") return kit.base_image;
  return err(ErrorKind::kImageNotFound,
             "image '{}' not found: only the built-in 'base' image exists until OCI pulls land",
             image);
}

void print_timings(const runtime::ForegroundRunResult& result) {
  nlohmann::json timings = {
      {"engine", result.engine},
      {"launch_to_ready_ms", result.timings.launch_to_ready_ns / 1e6},
      {"kernel_boot_ms", result.timings.kernel_boot_ns / 1e6},
      {"agent_init_ms", result.timings.agent_init_ns / 1e6},
      {"exec_ms", result.timings.exec_ns / 1e6},
      {"shutdown_ms", result.timings.shutdown_ns / 1e6},
  };
  for (const auto& [step, ns] : result.timings.agent_steps_ns)
    timings["agent_steps_ms"][step] = ns / 1e6;
  print_info("msb: timings {}", timings.dump());
}

}  // namespace

CLI::App* RunCommand::add_to(CLI::App& app) {
  CLI::App* run =
      app.add_subcommand("run", "Boot a fresh sandbox, run one command in it, tear it down");
  run->add_option("image", image_, "Image to boot (default: the built-in 'base' busybox image)");
  run->add_option("--accel", accel_, "Accelerator: kvm or tcg (default: detect)");
  run->add_option("--cpus", cpus_, "Virtual CPUs")->check(CLI::Range(1, 64));
  run->add_option("--memory", memory_mib_, "Memory in MiB")->check(CLI::Range(64, 1 << 20));
  run->add_option("-e,--env", env_, "Environment variable KEY=VALUE for the command");
  run->add_option("-w,--workdir", workdir_, "Working directory of the command in the sandbox");
  run->add_flag("--timings", timings_, "Print boot timings (JSON) on stderr at the end");
  run->footer("The command follows '--': msb run -- echo hello");
  return run;
}

Result<int> RunCommand::run() {
  if (trailing_.empty())
    return err(ErrorKind::kInvalidArgument,
               "run: missing command after '--' (msb run -- echo hello)");
  for (const std::string& entry : env_) {
    if (entry.find('=') == std::string::npos || entry.front() == '=') {
      return err(ErrorKind::kInvalidArgument, "run: --env expects KEY=VALUE, got '{}'", entry);
    }
  }
  if (!workdir_.empty() && workdir_.front() != '/') {
    return err(ErrorKind::kInvalidArgument,
               "run: --workdir must be an absolute guest path, got '{}'", workdir_);
  }
  runtime::ForegroundRunRequest request;
  if (!accel_.empty()) request.launch.accel = MSB_TRY(engine::parse_accel(accel_));
  engine::vm::GuestKit kit = MSB_TRY(engine::vm::locate_guest_kit());
  std::string rootfs = MSB_TRY(image_path(image_, kit));

  os::TempDir run_dir = MSB_TRY(runtime::create_run_dir(msb_run_dir()));
  std::string upper = run_dir.path() + "/upper.ext4";
  MSB_TRY(engine::vm::create_upper_disk(upper, engine::vm::kDefaultUpperDiskBytes));

  request.launch.runtime_dir = run_dir.path();
  request.launch.cpus = cpus_;
  request.launch.memory_mib = memory_mib_;
  request.launch.rootfs = {rootfs, "erofs", "rootfs", true};
  request.launch.upper = engine::DiskSpec{upper, "ext4", "upper", false};
  request.launch.hostname = "microsandbox";
  request.exec.cmd = trailing_.front();
  request.exec.args.assign(trailing_.begin() + 1, trailing_.end());
  request.exec.env = env_;
  request.exec.cwd = workdir_;

  // Ctrl-C, SIGTERM and a closed terminal tear the sandbox down instead of killing msb.
  os::SignalFd interrupts = MSB_TRY(os::SignalFd::create({SIGINT, SIGTERM, SIGHUP}));
  std::unique_ptr<engine::Engine> engine = engine::make_vm_engine();
  runtime::ForegroundRunResult result =
      MSB_TRY(runtime::foreground_run(*engine, request, interrupts));
  if (timings_) print_timings(result);
  return result.status.shell_code();
}

}  // namespace msb::cli
