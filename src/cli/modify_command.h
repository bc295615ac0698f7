// msb modify|mod NAME --root-disk SIZE: changes a stopped sandbox's stored settings. Only
// growing the root disk so far (the reference's modify also takes cpus, memory, env, ...).
#pragma once

#include <string>

#include "cli/command.h"

namespace msb::cli {

class ModifyCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  std::string name_;
  std::string root_disk_;
};

}  // namespace msb::cli
