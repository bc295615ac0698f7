#include "cli/cli_main.h"

#include <signal.h>

#include <algorithm>
#include <memory>

#include "cli/cp_command.h"
#include "cli/exec_command.h"
#include "cli/exit_codes.h"
#include "cli/image_archive_commands.h"
#include "cli/image_commands.h"
#include "cli/lifecycle_commands.h"
#include "cli/list_commands.h"
#include "cli/logs_command.h"
#include "cli/mcp_command.h"
#include "cli/modify_command.h"
#include "cli/out.h"
#include "cli/run_command.h"
#include "cli/server_command.h"
#include "cli/snapshot_commands.h"
#include "cli/volume_commands.h"
#include "os/system.h"

namespace msb::cli {

int cli_main(const std::vector<std::string>& args) {
  // A closed stdout must surface as a write error, not kill msb before it tears down.
  os::ignore_signal(SIGPIPE);
  // Everything after the first "--" is the command for the sandbox, never msb's flags.
  auto dashes = std::find(args.begin(), args.end(), "--");
  std::vector<std::string> own(args.begin(), dashes);
  std::vector<std::string> trailing(dashes == args.end() ? dashes : dashes + 1, args.end());

  CLI::App app("msb: run untrusted code in disposable microVM sandboxes", "msb");
  app.set_version_flag("--version", MSB_VERSION);
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, std::unique_ptr<Command>>> commands;
  auto add = [&](std::unique_ptr<Command> command) {
    CLI::App* sub = command->add_to(app);
    commands.emplace_back(sub, std::move(command));
  };
  add(std::make_unique<RunCommand>());
  add(std::make_unique<CreateCommand>());
  add(std::make_unique<StartCommand>());
  add(std::make_unique<StopCommand>(false));
  add(std::make_unique<StopCommand>(true));
  add(std::make_unique<KillCommand>());
  add(std::make_unique<DrainCommand>());
  add(std::make_unique<RemoveCommand>());
  add(std::make_unique<ModifyCommand>());
  add(std::make_unique<WaitCommand>());
  add(std::make_unique<ListCommand>());
  add(std::make_unique<StatusCommand>());
  add(std::make_unique<InspectCommand>());
  add(std::make_unique<LogsCommand>());
  add(std::make_unique<ExecCommand>(false));
  add(std::make_unique<ExecCommand>(true));
  add(std::make_unique<CopyCommand>());
  add(std::make_unique<PullCommand>());
  add(std::make_unique<ImageCommand>());
  // Nested under `image`, so registered after it.
  add(std::make_unique<ImageLoadCommand>());
  add(std::make_unique<ImageSaveCommand>());
  add(std::make_unique<VolumeCommand>());
  add(std::make_unique<SnapshotCommand>());
  add(std::make_unique<ServerCommand>());
  add(std::make_unique<McpCommand>());

  std::vector<std::string> reversed(own.rbegin(), own.rend());  // CLI11 pops from the back
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  // Latest registered first: a nested command (image load) is parsed together with its
  // parent (image), and the most specific one runs.
  for (auto it = commands.rbegin(); it != commands.rend(); ++it) {
    auto& [sub, command] = *it;
    if (!sub->parsed()) continue;
    command->set_trailing(trailing);
    Result<int> code = command->run();
    if (code) return *code;
    // An interrupted run says nothing, like any command stopped by a signal. There is no
    // hint by kind: one kind has many causes (kNotFound is a missing sandbox as well as a
    // missing QEMU), so the messages themselves say what to do where there is something.
    if (code.error().kind != ErrorKind::kCancelled) print_error(code.error());
    return exit_code_for(code.error());
  }
  return kExitUsage;
}

}  // namespace msb::cli
