// msb cp SRC DST: copies files and directory trees between the host and a sandbox, or
// from one sandbox to another (or within one); a sandbox side is written NAME:/path
// (msb cp ./src job:/app, msb cp job:/out ./out, msb cp job:/out other:/in).
#pragma once

#include <optional>

#include "cli/command.h"

namespace msb::cli {

struct CopyEndpoint {
  std::optional<std::string> sandbox;  // nullopt: the host
  std::string path;
};
// "name:/abs/path" is a sandbox path when `name` is a valid sandbox name; anything else
// is a host path. Errors: kInvalidArgument for an empty path or a relative guest path.
Result<CopyEndpoint> parse_copy_endpoint(const std::string& text);

class CopyCommand final : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  std::string source_;
  std::string destination_;
};

}  // namespace msb::cli
