#include "cli/run_command.h"

#include <signal.h>

#include <nlohmann/json.hpp>

#include "cli/out.h"
#include "common/paths.h"
#include "config/exec_defaults.h"
#include "config/image_defaults.h"
#include "config/validate.h"
#include "engine/engine.h"
#include "os/file.h"
#include "os/signals.h"
#include "os/system.h"
#include "runtime/foreground_run.h"
#include "runtime/named_volumes.h"
#include "runtime/prepared_root.h"
#include "runtime/run_dir.h"
#include "runtime/sandbox_launch.h"
#include "runtime/sandbox_network.h"
#include "runtime/sandbox_root.h"
#include "runtime/volume_specs.h"
#include "sdk/exec_session.h"
#include "sdk/lifecycle.h"
#include "store/database.h"

namespace msb::cli {
namespace {

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
  for (const auto& [step, ns] : result.timings.host_steps_ns)
    timings["host_steps_ms"][step] = ns / 1e6;
  print_info("msb: timings {}", timings.dump());
}

}  // namespace

CLI::App* RunCommand::add_to(CLI::App& app) {
  CLI::App* run =
      app.add_subcommand("run", "Boot a fresh sandbox, run one command in it, tear it down");
  run->add_option("-n,--name", name_, "Keep the sandbox under this name (stopped afterwards)");
  flags_.add_to(*run);
  run->add_flag("--timings", timings_, "Print boot timings (JSON) on stderr at the end");
  run->footer("The command follows '--': msb run -- echo hello");
  return run;
}

Result<int> RunCommand::run() { return name_.empty() ? run_unnamed() : run_named(); }

// Named runs go through the supervisor like any sandbox: create (attached, so that a
// killed msb stops it), exec with live output, stop.
Result<int> RunCommand::run_named() {
  config::SandboxConfig config = MSB_TRY(flags_.to_config(name_));
  sdk::StartedSandbox started = MSB_TRY(sdk::create_sandbox(config, flags_.pull_options()));
  SandboxPaths paths = sandbox_paths(msb_home(), name_);
  Result<int> code = [&]() -> Result<int> {
    config::SandboxConfig recorded = MSB_TRY(sdk::sandbox_config(name_));
    config::ExecSettings settings = config::resolve_exec_settings(recorded, {}, "", "", false, "");
    sdk::ExecSpec spec;
    std::vector<std::string> argv = MSB_TRY(config::resolve_run_command(recorded, trailing_));
    spec.request.cmd = argv.front();
    spec.request.args.assign(argv.begin() + 1, argv.end());
    spec.request.env = std::move(settings.env);
    spec.request.cwd = std::move(settings.cwd);
    spec.request.user = std::move(settings.user);
    sdk::ExecResult result = MSB_TRY(
        sdk::run_exec(paths.agent_socket, std::move(spec), [](int stream, std::string_view data) {
          return runtime::forward_output(stream, data, stream == 1 ? "stdout" : "stderr");
        }));
    return os::ExitStatus{result.exit_code, result.signal}.shell_code();
  }();
  Result<void> stopped = sdk::stop_sandbox(name_, std::chrono::seconds(10));
  if (!code) return tl::unexpected(code.error());
  MSB_TRY(stopped);
  return *code;
}

Result<int> RunCommand::run_unnamed() {
  config::SandboxConfig config = MSB_TRY(flags_.to_config(""));
  // The same rules as a named sandbox's (cpus, memory, hostname, env, paths, ...): only the
  // name, which an unnamed run does not have, is not checked.
  MSB_TRY(config::validate(config, msb_home(), config::Naming::kUnnamed));
  MSB_TRY(config::check_patch_sources(config.patches));
  std::unique_ptr<engine::Engine> engine = MSB_TRY(runtime::engine_for(config));
  runtime::ForegroundRunRequest request;
  store::Database db = MSB_TRY(store::Database::open(msb_db_path()));
  runtime::PreparedRoot root =
      MSB_TRY(runtime::prepare_root(*engine, config, db, flags_.pull_options()));

  os::TempDir run_dir = MSB_TRY(runtime::create_run_dir(msb_run_dir() + "/.foreground"));
  std::string layer = engine->writable_layer_path(run_dir.path());
  MSB_TRY(runtime::create_writable_layer(*engine, root, config, layer, /*ephemeral=*/true));
  // The same launch as a named sandbox's supervisor, in a directory the run removes.
  if (!config.hostname) config.hostname = "microsandbox";
  runtime::LaunchPlace place{run_dir.path(), "", run_dir.path(), layer,
                             "run-" + std::to_string(os::current_pid())};
  request.launch =
      MSB_TRY(runtime::launch_spec_for(config, std::move(root.layers), std::move(place), true));
  request.launch.volumes =
      MSB_TRY(runtime::volume_specs_for(config.mounts, [&db](std::string_view name) {
        return runtime::ensure_named_volume(db, msb_home(), name);
      }));
  // Held until this run returns.
  std::vector<os::Fd> disk_locks = MSB_TRY(runtime::lock_launch_disks(request.launch));
  request.network = MSB_TRY(runtime::network_plan_for(config));
  std::vector<std::string> argv = MSB_TRY(config::resolve_run_command(config, trailing_));
  request.exec.cmd = argv.front();
  request.exec.args.assign(argv.begin() + 1, argv.end());
  config::ExecSettings settings = config::resolve_exec_settings(config, {}, "", "", false, "");
  request.exec.env = std::move(settings.env);
  request.exec.cwd = config.workdir;
  request.exec.user = config.user;
  request.patches = config.patches;

  // Ctrl-C, SIGTERM and a closed terminal tear the sandbox down instead of killing msb.
  os::SignalFd interrupts = MSB_TRY(os::SignalFd::create({SIGINT, SIGTERM, SIGHUP}));
  runtime::ForegroundRunResult result =
      MSB_TRY(runtime::foreground_run(*engine, request, interrupts));
  if (timings_) print_timings(result);
  return result.status.shell_code();
}

}  // namespace msb::cli
