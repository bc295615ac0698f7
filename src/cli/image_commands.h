// msb pull REF and msb image ls|inspect|rm|prune: the local image store.
#pragma once

#include <string>
#include <vector>

#include "cli/command.h"

namespace msb::cli {

class PullCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  std::string reference_;
  bool insecure_ = false;
  bool quiet_ = false;
};

// One `msb image` subcommand tree; run() dispatches on the one given.
class ImageCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  Result<int> list() const;
  Result<int> inspect() const;
  Result<int> remove() const;
  Result<int> prune() const;

  CLI::App* list_ = nullptr;
  CLI::App* inspect_ = nullptr;
  CLI::App* remove_ = nullptr;
  CLI::App* prune_ = nullptr;
  std::vector<std::string> references_;
  std::string format_ = "table";
  bool force_ = false;
  bool quiet_ = false;
};

}  // namespace msb::cli
