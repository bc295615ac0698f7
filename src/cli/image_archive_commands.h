// msb image load -i FILE [-t NAME] and msb image save REF... -o FILE [--format docker|oci]:
// image archives, nested under the `image` command (register after ImageCommand).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"

namespace msb::cli {

class ImageLoadCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  std::string input_ = "-";
  std::optional<std::string> tag_;
  bool quiet_ = false;
};

class ImageSaveCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  std::vector<std::string> references_;
  std::string output_;
  std::string format_ = "docker";
};

}  // namespace msb::cli
