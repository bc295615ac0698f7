// What an OCI image's config contributes to a sandbox: env, workdir, user, labels and the
// default command. Applied once at create and stored with the sandbox, so a later re-tag or an
// image change never alters an existing sandbox.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "config/sandbox_config.h"

namespace msb::config {

// The parts of an image config (OCI `config` object) a sandbox takes.
struct ImageDefaults {
  std::vector<std::string> env;  // "KEY=VALUE" as the image lists them
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::string working_dir;
  std::string user;
  std::map<std::string, std::string> labels;
};

// Fills `config` from `image`: the image env comes first and the sandbox's own env wins per
// key; workdir, user, entrypoint and cmd are taken only where the sandbox sets none (an
// explicit entrypoint drops the image cmd too, as in Docker). Image labels are added where
// the sandbox has no label of that key; image env entries without '=' and labels a sandbox
// may not carry (reserved prefixes, NUL bytes: see validate_label) are skipped. Never fails;
// thread-safe.
void apply_image_defaults(SandboxConfig& config, const ImageDefaults& image);

// The argv a sandbox runs for `msb run IMAGE [-- CMD...]`: `command` replaces the cmd and
// keeps the entrypoint; with no command, entrypoint + cmd. Errors: kInvalidArgument when
// both are empty ("missing command: the image has no entrypoint or cmd; give one after '--'").
Result<std::vector<std::string>> resolve_run_command(const SandboxConfig& config,
                                                     const std::vector<std::string>& command);

}  // namespace msb::config
