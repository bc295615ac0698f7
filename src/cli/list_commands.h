// msb ls | ps | inspect: what the state store says about sandboxes (no supervisor needed).
#pragma once

#include "cli/command.h"
#include "cli/targets.h"

namespace msb::cli {

class ListCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  bool running_ = false;
  bool stopped_ = false;
  std::vector<std::string> labels_;
  std::string format_ = "table";
};

// msb ps NAME...: status, supervisor and last run of each.
class StatusCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  Targets targets_;
  std::string format_ = "table";
};

class InspectCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  std::string name_;
  std::string format_ = "text";
};

}  // namespace msb::cli
