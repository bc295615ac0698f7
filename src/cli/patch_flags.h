// The rootfs patch flags of `msb create` and `msb run`: --copy, --mkdir and --rm. They fill
// config::SandboxConfig::patches (config/rootfs_patch.h), whose rules validate() checks.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "config/rootfs_patch.h"

namespace msb::cli {

// `--copy SRC:DST`: the host file or directory SRC (made absolute against the working
// directory; a directory is copied as a tree) to the guest path DST. The split is at the
// last ':', so SRC may hold ':'. Errors: kInvalidArgument "--copy '<text>': <what>" for a
// missing part or a SRC that does not exist or is neither a file nor a directory.
// Not thread-safe (reads the working directory).
[[nodiscard]] Result<config::RootfsPatch> parse_copy_flag(std::string_view text);

class PatchFlags {
 public:
  void add_to(CLI::App& app);
  // The patches in the order --rm, --mkdir, --copy (so `--rm /app --copy ./src:/app`
  // replaces /app), each in the order given. Errors: parse_copy_flag's.
  Result<std::vector<config::RootfsPatch>> to_patches() const;

 private:
  std::vector<std::string> copies_;
  std::vector<std::string> mkdirs_;
  std::vector<std::string> removes_;
};

}  // namespace msb::cli
