#include "config/exec_defaults.h"

#include <unordered_map>

namespace msb::config {
namespace {

// An environment under construction: one entry per key, in order of first appearance.
class EnvBuilder {
 public:
  void set(const std::string& key, std::string value) {
    auto [it, inserted] = index_.try_emplace(key, entries_.size());
    if (inserted) {
      entries_.emplace_back(key, std::move(value));
    } else {
      entries_[it->second].second = std::move(value);
    }
  }

  std::vector<std::string> build() const {
    std::vector<std::string> env;
    env.reserve(entries_.size());
    for (const auto& [key, value] : entries_) env.push_back(key + "=" + value);
    return env;
  }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
  std::unordered_map<std::string, size_t> index_;
};

bool sets_term(const std::vector<std::pair<std::string, std::string>>& env) {
  for (const auto& entry : env) {
    if (entry.first == "TERM") return true;
  }
  return false;
}

// The host's terminal type, unless it is unset, blank or "dumb": then xterm, which every
// terminal program can draw with.
std::string tty_term(std::string_view host_term) {
  bool blank = host_term.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos;
  return blank || host_term == "dumb" ? "xterm" : std::string(host_term);
}

}  // namespace

ExecSettings resolve_exec_settings(const SandboxConfig& config,
                                   const std::vector<std::pair<std::string, std::string>>& exec_env,
                                   std::string_view exec_cwd, std::string_view exec_user, bool tty,
                                   std::string_view host_term) {
  EnvBuilder env;
  for (const auto& [key, value] : config.env) env.set(key, value);
  // A terminal works best with the host's terminal type, unless the sandbox or this exec
  // chose one: the terminal inside may differ from the one outside (a multiplexer, say).
  if (tty && !sets_term(config.env) && !sets_term(exec_env)) env.set("TERM", tty_term(host_term));
  for (const auto& [key, value] : exec_env) env.set(key, value);

  ExecSettings settings;
  settings.env = env.build();
  settings.cwd = !exec_cwd.empty()         ? std::string(exec_cwd)
                 : !config.workdir.empty() ? config.workdir
                                           : "/";
  settings.user = exec_user.empty() ? config.user : std::string(exec_user);
  return settings;
}

}  // namespace msb::config
