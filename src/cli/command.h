// One msb subcommand: declares its flags on a CLI11 subcommand, then runs.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "common/error.h"

namespace msb::cli {

class Command {
 public:
  virtual ~Command() = default;
  // The words after "--" on the command line (the command to run in the sandbox).
  void set_trailing(std::vector<std::string> trailing) { trailing_ = std::move(trailing); }
  virtual CLI::App* add_to(CLI::App& app) = 0;
  // Returns the exit code.
  virtual Result<int> run() = 0;

 protected:
  std::vector<std::string> trailing_;
};

}  // namespace msb::cli
