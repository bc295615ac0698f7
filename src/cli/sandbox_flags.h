// The flags that describe a sandbox, shared by `msb create` and `msb run`; they fill one
// config::SandboxConfig (validated later by the lifecycle, with the SDK's rules).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/network_flags.h"
#include "cli/patch_flags.h"
#include "cli/volume_flags.h"
#include "common/error.h"
#include "config/sandbox_config.h"
#include "runtime/image_service.h"

namespace msb::cli {

class SandboxFlags {
 public:
  void add_to(CLI::App& app);
  // The config for `name` (may be empty for unnamed runs). Errors: kInvalidArgument for
  // malformed KEY=VALUE flags, network flags (network_flags.h), mount flags
  // (volume_flags.h) and patch flags (patch_flags.h).
  Result<config::SandboxConfig> to_config(const std::string& name) const;
  // How to pull the image: progress on stderr unless -q, plain HTTP with --insecure.
  runtime::PullOptions pull_options() const;

  const std::string& image() const { return image_; }
  const std::string& accel() const { return accel_; }
  uint32_t cpus() const { return cpus_; }
  uint32_t memory_mib() const { return memory_mib_; }
  const std::vector<std::string>& env() const { return env_; }
  const std::string& workdir() const { return workdir_; }

 private:
  Result<void> apply_root_path(config::SandboxConfig& config) const;

  std::string image_ = "base";
  CLI::Option* image_option_ = nullptr;  // the image was given (not the default)
  std::string snapshot_;                 // --from-snapshot
  std::string rootfs_fstype_;            // --rootfs-fstype (a disk image root)
  std::string accel_;
  std::string isolation_;
  uint32_t cpus_ = 1;
  uint32_t memory_mib_ = 512;
  std::vector<std::string> env_;
  std::string workdir_;
  std::string user_;
  std::string hostname_;
  CLI::Option* hostname_option_ = nullptr;  // given at all (even as '') or not
  std::string shell_ = "/bin/sh";
  std::vector<std::string> labels_;
  std::string pull_ = "if-missing";
  bool insecure_ = false;
  bool quiet_ = false;
  bool replace_ = false;
  double replace_timeout_s_ = 10;
  std::string root_disk_;  // "" = the default (root_disk_flag.h)
  NetworkFlags network_;
  VolumeFlags volumes_;
  PatchFlags patches_;
};

// "KEY=VALUE" -> pair. Errors: kInvalidArgument "<flag> expects KEY=VALUE, got 'x'".
Result<std::pair<std::string, std::string>> split_key_value(std::string_view flag,
                                                            const std::string& text);

}  // namespace msb::cli
