// Which sandboxes a command acts on: the names given, plus every sandbox whose labels
// match all --label selectors.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>
#include <vector>

#include "common/error.h"

namespace msb::cli {

class Targets {
 public:
  void add_to(CLI::App& app, bool required = true);
  // Names in order given, then selector matches, without repeats. Errors:
  // kInvalidArgument (nothing named; malformed selector), store errors.
  Result<std::vector<std::string>> resolve() const;
  Result<std::map<std::string, std::string>> selector() const;

 private:
  std::vector<std::string> names_;
  std::vector<std::string> labels_;
};

// ["k=v", ...] from --label flags -> selector. Errors: kInvalidArgument.
Result<std::map<std::string, std::string>> parse_label_selector(
    const std::vector<std::string>& labels);

// Runs `action` for every target, printing an error for each failure; returns the exit
// code of the first failure (0 when all succeeded).
Result<int> for_each_target(const std::vector<std::string>& names,
                            const std::function<Result<void>(const std::string&)>& action);

}  // namespace msb::cli
