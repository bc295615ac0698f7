// msb run [--name NAME] [flags] [IMAGE] -- CMD [ARGS...]
// Unnamed: a foreground run that records nothing and leaves nothing (the fast path).
// Named: creates the sandbox (kept afterwards, stopped), runs CMD in it, stops it.
#pragma once

#include <optional>
#include <string>

#include "cli/command.h"
#include "cli/sandbox_flags.h"

namespace msb::cli {

class RunCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  Result<int> run_unnamed();
  Result<int> run_named();

  std::string name_;
  SandboxFlags flags_;
  bool timings_ = false;
};

}  // namespace msb::cli
