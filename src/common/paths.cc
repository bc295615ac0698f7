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

}  // namespace msb
