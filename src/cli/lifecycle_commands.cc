#include "cli/lifecycle_commands.h"

#include <fmt/format.h>

#include <random>

#include "cli/out.h"
#include "sdk/lifecycle.h"

namespace msb::cli {
namespace {

std::string generated_name() {
  std::random_device random;
  return fmt::format("sandbox-{:08x}", random());
}

std::chrono::milliseconds seconds(double value) {
  return std::chrono::milliseconds(static_cast<int64_t>(value * 1000));
}

}  // namespace

CLI::App* CreateCommand::add_to(CLI::App& app) {
  CLI::App* create = app.add_subcommand("create", "Create and boot a sandbox in the background");
  create->add_option("-n,--name", name_, "Sandbox name (default: generated)");
  flags_.add_to(*create);
  return create;
}

Result<int> CreateCommand::run() {
  config::SandboxConfig config =
      MSB_TRY(flags_.to_config(name_.empty() ? generated_name() : name_));
  config.detached = true;
  sdk::StartedSandbox started = MSB_TRY(sdk::create_sandbox(config, flags_.pull_options()));
  fmt::print("{}\n", started.name);
  return 0;
}

CLI::App* StartCommand::add_to(CLI::App& app) {
  CLI::App* start = app.add_subcommand("start", "Boot stopped sandboxes again");
  targets_.add_to(*start);
  return start;
}

Result<int> StartCommand::run() {
  return for_each_target(MSB_TRY(targets_.resolve()), [](const std::string& name) -> Result<void> {
    MSB_TRY(sdk::start_sandbox(name, true));
    return {};
  });
}

CLI::App* StopCommand::add_to(CLI::App& app) {
  CLI::App* stop = app.add_subcommand(
      restart_ ? "restart" : "stop",
      restart_ ? "Stop sandboxes, then boot them again" : "Shut sandboxes down gracefully");
  targets_.add_to(*stop);
  stop->add_flag("-f,--force", force_, "Kill at once instead of shutting down");
  stop->add_option("-t,--timeout", timeout_s_, "Seconds to wait before SIGKILL (default 10)")
      ->check(CLI::Range(0.0, 3600.0));
  return stop;
}

Result<int> StopCommand::run() {
  return for_each_target(MSB_TRY(targets_.resolve()), [&](const std::string& name) -> Result<void> {
    if (force_) {
      MSB_TRY(sdk::kill_sandbox(name));
    } else {
      MSB_TRY(sdk::stop_sandbox(name, seconds(timeout_s_)));
    }
    if (restart_) MSB_TRY(sdk::start_sandbox(name, true));
    return {};
  });
}

CLI::App* KillCommand::add_to(CLI::App& app) {
  CLI::App* kill = app.add_subcommand("kill", "Kill sandboxes at once (SIGKILL)");
  targets_.add_to(*kill);
  return kill;
}

Result<int> KillCommand::run() {
  return for_each_target(MSB_TRY(targets_.resolve()), sdk::kill_sandbox);
}

CLI::App* RemoveCommand::add_to(CLI::App& app) {
  CLI::App* remove = app.add_subcommand("rm", "Remove sandboxes with their disks and logs");
  remove->alias("remove");
  targets_.add_to(*remove);
  remove->add_flag("-f,--force", force_, "Kill running ones first");
  return remove;
}

Result<int> RemoveCommand::run() {
  return for_each_target(MSB_TRY(targets_.resolve()), [&](const std::string& name) {
    return sdk::remove_sandbox(name, force_);
  });
}

CLI::App* WaitCommand::add_to(CLI::App& app) {
  CLI::App* wait = app.add_subcommand("wait", "Wait until sandboxes have stopped");
  targets_.add_to(*wait);
  return wait;
}

Result<int> WaitCommand::run() {
  return for_each_target(MSB_TRY(targets_.resolve()), [](const std::string& name) -> Result<void> {
    store::SandboxRecord record = MSB_TRY(sdk::wait_sandbox(name, std::nullopt));
    fmt::print("{} {}\n", name, store::sandbox_status_name(record.status));
    return {};
  });
}

CLI::App* DrainCommand::add_to(CLI::App& app) {
  CLI::App* drain = app.add_subcommand("drain", "Let running commands finish, then stop");
  targets_.add_to(*drain);
  return drain;
}

Result<int> DrainCommand::run() {
  return for_each_target(MSB_TRY(targets_.resolve()), sdk::drain_sandbox);
}

}  // namespace msb::cli
