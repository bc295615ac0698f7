// The mount flags of `msb create` and `msb run`: -v/--volume, --mount-named and --tmpfs. They
// fill config::SandboxConfig::mounts (config/volume_mount.h), whose rules validate() checks.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "config/volume_mount.h"

namespace msb::cli {

// `-v SRC:DST[:OPTS]`: SRC is a host path when it starts with '/' or '.' or holds a '/'
// (made absolute against the working directory, symlinks kept), else a named volume's name;
// OPTS is a comma-separated list of ro, rw, noexec, nosuid and nodev (the last two are
// always on). Host paths cannot contain ':'. Errors: kInvalidArgument
// "-v '<text>': <what is wrong>". Thread-safe.
[[nodiscard]] Result<config::VolumeMount> parse_volume_flag(std::string_view text);
// `--mount-named NAME:DST[:OPTS]`: always a named volume (created on first use).
[[nodiscard]] Result<config::VolumeMount> parse_named_mount_flag(std::string_view text);
// `source` (a host path given in `text` of `flag`) made absolute against the working
// directory and normalized lexically (symlinks kept, no trailing '/'). Errors:
// kInvalidArgument "<flag> '<text>': cannot make the host path absolute: <why>".
[[nodiscard]] Result<std::string> absolute_host_path(std::string_view flag, std::string_view text,
                                                     std::string_view source);
// `--mount-disk IMAGE:DST[:OPTS]`: OPTS as -v's plus format=raw|qcow2 and fstype=...
// (checked by validate()); IMAGE is made absolute as -v's host paths.
[[nodiscard]] Result<config::VolumeMount> parse_disk_mount_flag(std::string_view text);
// `--tmpfs PATH[:SIZE]`: SIZE in MiB, or with a K, M or G suffix (rounded up to whole MiB).
[[nodiscard]] Result<config::VolumeMount> parse_tmpfs_flag(std::string_view text);

class VolumeFlags {
 public:
  void add_to(CLI::App& app);
  // The mounts in the order -v, --mount-named, --tmpfs, --mount-disk, each in the order given (the
  // runtime mounts parents first whatever the order). Errors: those of the parsers above.
  Result<std::vector<config::VolumeMount>> to_mounts() const;

 private:
  std::vector<std::string> volumes_;
  std::vector<std::string> named_;
  std::vector<std::string> tmpfs_;
  std::vector<std::string> disks_;
};

}  // namespace msb::cli
