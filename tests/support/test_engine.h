// Which engine an integration test binary runs against. CTest registers each parity binary
// once per engine (msb_test(... ENGINES vm namespace)) with MSB_TEST_ISOLATION set; the
// fixtures build every sandbox and every `msb run/create` with that isolation.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace msb::testing {

inline std::string test_isolation() {
  const char* value = std::getenv("MSB_TEST_ISOLATION");
  return value && *value ? value : "vm";
}

inline bool on_vm_engine() { return test_isolation() == "vm"; }

// `msb` arguments with "--isolation <engine>" after a leading run/create subcommand.
inline std::vector<std::string> with_test_isolation(std::vector<std::string> args) {
  if (!on_vm_engine() && !args.empty() && (args[0] == "run" || args[0] == "create"))
    args.insert(args.begin() + 1, {"--isolation", test_isolation()});
  return args;
}

// A namespace sandbox's init runs msb-agentd with a clean environment: tests tie it to their
// $MSB_HOME through its parent. Its parent's pid, given its /proc directory; "" when the
// process is something else (or gone).
inline std::string namespace_init_parent(const std::string& proc_dir) {
  std::ifstream comm_file(proc_dir + "/comm");
  std::string comm;
  if (!std::getline(comm_file, comm) || comm != "msb-agentd") return "";
  std::ifstream stat_file(proc_dir + "/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  size_t end_of_name = stat.rfind(')');
  if (end_of_name == std::string::npos) return "";
  std::istringstream fields(stat.substr(end_of_name + 1));
  std::string state, parent;
  fields >> state >> parent;
  return parent;
}

}  // namespace msb::testing

// For the few behaviours only one engine has (a guest kernel, QEMU, accelerators).
#define MSB_SKIP_UNLESS_VM_ENGINE(why) \
  if (!::msb::testing::on_vm_engine()) GTEST_SKIP() << "vm engine only: " << why
