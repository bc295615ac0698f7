#include "common/paths.h"

#include <cstdlib>

namespace msb {

std::string msb_home() {
  const char* home = std::getenv("MSB_HOME");
  if (home && *home) return home;
  const char* user_home = std::getenv("HOME");
  return std::string(user_home && *user_home ? user_home : "/root") + "/.microsandbox";
}

std::string msb_run_dir() { return msb_home() + "/run"; }

std::string msb_cache_dir() { return msb_home() + "/cache"; }

}  // namespace msb

namespace msb {

std::string msb_db_path() { return msb_home() + "/db/msb.db"; }

SandboxPaths sandbox_paths(std::string_view home, std::string_view name) {
  SandboxPaths paths;
  paths.dir = std::string(home) + "/sandboxes/" + std::string(name);
  paths.upper_disk = paths.dir + "/upper.ext4";
  paths.logs = paths.dir + "/logs";
  paths.console_log = paths.logs + "/console.log";
  paths.runtime_log = paths.logs + "/runtime.log";
  paths.exec_log = paths.logs + "/exec.log";
  paths.boot_error = paths.logs + "/boot-error.json";
  paths.run_dir = std::string(home) + "/run/" + std::string(name);
  paths.agent_socket = paths.run_dir + "/agent.sock";
  paths.supervisor_file = paths.run_dir + "/supervisor.json";
  return paths;
}

}  // namespace msb
