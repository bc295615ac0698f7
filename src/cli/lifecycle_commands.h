// msb create | start | stop | restart | kill | rm | wait: one small class each, over
// sdk/lifecycle.h. All but create take several names and --label selectors.
#pragma once

#include "cli/command.h"
#include "cli/sandbox_flags.h"
#include "cli/targets.h"

namespace msb::cli {

// msb create [IMAGE] [--name NAME] [flags]: boots a detached sandbox, prints its name.
class CreateCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  std::string name_;
  SandboxFlags flags_;
};

class StartCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  Targets targets_;
};

// msb stop / msb restart: graceful shutdown, SIGKILL after -t seconds, -f at once.
class StopCommand final : public Command {
 public:
  explicit StopCommand(bool restart) : restart_(restart) {}
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  bool restart_;
  Targets targets_;
  bool force_ = false;
  double timeout_s_ = 10;
};

class KillCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  Targets targets_;
};

class RemoveCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  Targets targets_;
  bool force_ = false;
};

// msb wait NAME...: blocks until each has stopped; prints how each run ended.
class WaitCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  Targets targets_;
};

// msb drain NAME...: running commands finish, new ones are refused, then it stops.
class DrainCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  Targets targets_;
};

}  // namespace msb::cli
