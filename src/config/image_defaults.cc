#include "config/image_defaults.h"

#include <algorithm>

#include "config/validate.h"

namespace msb::config {

void apply_image_defaults(SandboxConfig& config, const ImageDefaults& image) {
  std::vector<std::pair<std::string, std::string>> env;
  for (const std::string& entry : image.env) {
    size_t equals = entry.find('=');
    if (equals == std::string::npos || equals == 0) continue;
    std::string key = entry.substr(0, equals);
    bool overridden = std::any_of(config.env.begin(), config.env.end(),
                                  [&](const auto& own) { return own.first == key; });
    if (!overridden) env.emplace_back(std::move(key), entry.substr(equals + 1));
  }
  env.insert(env.end(), config.env.begin(), config.env.end());
  config.env = std::move(env);
  if (config.workdir.empty()) config.workdir = image.working_dir;
  if (config.user.empty()) config.user = image.user;
  for (const auto& [key, value] : image.labels) {
    if (validate_label(key, value)) config.labels.emplace(key, value);
  }
  if (config.entrypoint.empty()) {
    config.entrypoint = image.entrypoint;
    if (config.cmd.empty()) config.cmd = image.cmd;
  }
}

Result<std::vector<std::string>> resolve_run_command(const SandboxConfig& config,
                                                     const std::vector<std::string>& command) {
  std::vector<std::string> argv = config.entrypoint;
  const std::vector<std::string>& tail = command.empty() ? config.cmd : command;
  argv.insert(argv.end(), tail.begin(), tail.end());
  if (argv.empty()) {
    return err(ErrorKind::kInvalidArgument,
               "missing command: the image has no entrypoint or cmd; give one after '--' (msb "
               "run IMAGE -- CMD)");
  }
  return argv;
}

}  // namespace msb::config
