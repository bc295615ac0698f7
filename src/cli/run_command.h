// msb run [--accel kvm|tcg] [--cpus N] [--memory MiB] [--timings] [IMAGE] -- CMD [ARGS...]
#pragma once

#include <optional>
#include <string>

#include "cli/command.h"

namespace msb::cli {

class RunCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  std::string image_ = "base";
  std::string accel_;
  uint32_t cpus_ = 1;
  uint32_t memory_mib_ = 512;
  bool timings_ = false;
  std::vector<std::string> env_;
  std::string workdir_;
};

}  // namespace msb::cli
