// The shared fixture of the lifecycle integration tests: every test gets its own $MSB_HOME
// (a temp dir set with ScopedEnv), runs real sandboxes in it through the public SDK or the
// msb binary, and its TearDown removes whatever sandboxes are left and then checks that
// nothing is left behind: no process that mentions that $MSB_HOME (QEMU, msb-runtime, msb),
// no run/<name> or sandboxes/<name> directory, and an intact state store.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "microsandbox/sandbox.h"
#include "os/child_process.h"
#include "os/file.h"
#include "runtime/startup_status.h"
#include "scoped_env.h"
#include "sdk_test_util.h"
#include "test_engine.h"

namespace msb::testing {

// Sandbox::builder with the engine under test (see test_engine.h).
inline microsandbox::SandboxBuilder sandbox_builder(std::string name) {
  microsandbox::SandboxBuilder builder = microsandbox::Sandbox::builder(std::move(name));
  builder.isolation(test_isolation());
  return builder;
}

// Boots under TCG take seconds, and longer when several boot at once.
inline constexpr std::chrono::seconds kSlow{120};

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// True when process `pid` exists and is not a zombie.
bool pid_alive(int pid);

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  const std::string& home() const { return home_->path(); }
  std::string sandbox_dir(const std::string& name) const;
  std::string run_dir(const std::string& name) const;

  // `msb args...` to completion, with stdout and stderr captured; killed after `timeout`.
  CliResult msb(const std::vector<std::string>& args, std::chrono::seconds timeout = kSlow);
  // `msb args...` in the background (output to files outside $MSB_HOME).
  os::ChildProcess start_msb(const std::vector<std::string>& args);
  // `msb args... --format json`, parsed; fails the test when msb fails.
  nlohmann::json msb_json(const std::vector<std::string>& args);
  // The status `msb ls --format json` shows for `name` ("" when not listed).
  std::string listed_status(const std::string& name);
  // The termination_reason of the last run in `msb inspect NAME --format json`.
  std::string last_run_reason(const std::string& name);

  // run/<name>/supervisor.json of a running sandbox: supervisor and QEMU pids.
  runtime::SupervisorRecord supervisor_of(const std::string& name) const;
  // Live processes (not zombies) whose environment or command line mentions $MSB_HOME,
  // as "pid comm" strings; `qemu_only` keeps the QEMU ones.
  // Processes of this test's $MSB_HOME (by environment or command line), and the namespace
  // inits whose parent is one of them. engines_only: just QEMUs and namespace inits.
  std::vector<std::string> leftover_processes(bool engines_only = false) const;
  // PRAGMA integrity_check of $MSB_HOME/db/msb.db ("ok" when intact).
  std::string integrity_check() const;

 private:
  std::unique_ptr<os::TempDir> home_;
  std::unique_ptr<os::TempDir> output_;  // captured msb output, kept out of $MSB_HOME
  std::unique_ptr<ScopedEnv> home_env_;
  int started_ = 0;
};

}  // namespace msb::testing
