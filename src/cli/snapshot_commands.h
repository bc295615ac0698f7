// msb snapshot create|ls|inspect|rm|save|load (alias `msb snap`): disk snapshots
// (runtime/snapshots.h).
#pragma once

#include <string>
#include <vector>

#include "cli/command.h"

namespace msb::cli {

// One `msb snapshot` subcommand tree; run() dispatches on the one given.
class SnapshotCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  Result<int> create() const;
  Result<int> list() const;
  Result<int> inspect() const;
  Result<int> remove() const;
  Result<int> save() const;
  Result<int> load() const;

  CLI::App* create_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* inspect_ = nullptr;
  CLI::App* remove_ = nullptr;
  CLI::App* save_ = nullptr;
  CLI::App* load_ = nullptr;
  std::string name_;                // create, save
  std::vector<std::string> names_;  // inspect, rm
  std::string from_;
  std::string path_;  // save: the archive to write; load: the archive to read
  std::string format_ = "table";
  bool verify_ = false;
  bool with_image_ = false;
  bool quiet_ = false;
};

}  // namespace msb::cli
