// Which engine an integration test binary runs against. CTest registers each parity binary
// once per engine (msb_test(... ENGINES vm namespace)) with MSB_TEST_ISOLATION set; the
// fixtures build every sandbox and every `msb run/create` with that isolation.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "os/file.h"
#include "os/process_stat.h"

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
  Result<std::string> text = os::read_file(proc_dir + "/stat");
  std::optional<os::ProcessStat> stat = text ? os::ProcessStat::parse(*text) : std::nullopt;
  if (!stat || stat->comm != "msb-agentd") return "";
  return std::to_string(stat->parent_pid);
}

}  // namespace msb::testing

// For the few behaviours only one engine has (a guest kernel, QEMU, accelerators).
#define MSB_SKIP_UNLESS_VM_ENGINE(why) \
  if (!::msb::testing::on_vm_engine()) GTEST_SKIP() << "vm engine only: " << why
