// msb exec NAME [-e K=V] [-w DIR] [-u USER] [-t|--no-tty] [--timeout S] [--rlimit R=S[:H]]
//          [--detach-keys KEYS] -- CMD [ARGS...]
// msb shell NAME [same flags]: the sandbox's shell, interactive when the host has a
// terminal. A stopped sandbox is started for the command and stopped again afterwards.
#pragma once

#include <optional>

#include "cli/command.h"
#include "sdk/detach_keys.h"

namespace msb::cli {

class ExecCommand final : public Command {
 public:
  explicit ExecCommand(bool shell) : shell_(shell) {}
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  Result<int> run_in(const std::string& socket);

  bool shell_;
  std::string name_;
  std::vector<std::string> env_;
  std::string workdir_;
  std::string user_;
  bool tty_ = false;
  bool no_tty_ = false;
  std::optional<double> timeout_s_;
  std::vector<std::string> rlimits_;
  std::string detach_keys_{sdk::kDefaultDetachKeys};
  std::string detach_sequence_;  // detach_keys_ parsed
};

}  // namespace msb::cli
