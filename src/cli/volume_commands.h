// msb volume create|ls|inspect|rm (alias `msb vol`): named volumes (runtime/named_volumes.h).
#pragma once

#include <string>
#include <vector>

#include "cli/command.h"

namespace msb::cli {

// One `msb volume` subcommand tree; run() dispatches on the one given.
class VolumeCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  void add_create(CLI::App& volume);
  Result<int> create() const;
  Result<int> list() const;
  Result<int> inspect() const;
  Result<int> remove() const;

  CLI::App* create_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* inspect_ = nullptr;
  CLI::App* remove_ = nullptr;
  std::vector<std::string> names_;
  std::string kind_ = "dir";
  std::string size_;
  std::string quota_;
  std::vector<std::string> labels_;
  std::string format_ = "table";
  bool force_ = false;
  bool quiet_ = false;
};

}  // namespace msb::cli
