// The shared fixture of the exec and files integration tests: each test suite boots ONE
// real sandbox through the public SDK under its own temporary $MSB_HOME (set before any
// SDK call) and shares it between its tests; TearDownTestSuite stops and removes it and
// checks that no QEMU, msb-runtime or msb process that mentions that $MSB_HOME is left.
//
//   class ExecIo : public SandboxSuite {};
//   TEST_F(ExecIo, Something) { EXPECT_EQ(sandbox().shell("echo hi").stdout_data, "hi\n"); }
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "microsandbox/sandbox.h"
#include "os/process_stat.h"
#include "sdk_test_util.h"
#include "test_engine.h"

namespace msb::testing {

// Boots under TCG take seconds, and much longer on a busy machine.
inline constexpr std::chrono::seconds kSlow{180};

// SHA-256 (OpenSSL EVP), fed in pieces; hex() ends it.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  std::string hex();

 private:
  void* context_;  // EVP_MD_CTX
};
std::string sha256_hex(std::string_view data);

// `size` pseudo-random bytes, the same for the same seed.
std::string random_bytes(size_t size, uint64_t seed);
// Lines of `text` without their "\n" (and a trailing "\r", as a terminal writes them).
std::vector<std::string> lines_of(const std::string& text);

// Aborts the whole test binary when the scope is not left within `limit`: a hung exec
// would otherwise stall every test after it. The attached sandbox dies with the process.
class Watchdog {
 public:
  Watchdog(std::string what, std::chrono::seconds limit);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class SandboxSuite : public ::testing::Test {
 public:
  // The default shared sandbox; suites that need another name or settings call
  // set_up_suite() from their own SetUpTestSuite.
  static void SetUpTestSuite() { set_up_suite("shared"); }
  static void TearDownTestSuite();

  // A host command to completion with our environment ($MSB_HOME included), `stdin_data`
  // as its stdin (a pipe; a file when it is large) or /dev/null, stdout and stderr
  // captured; killed after `timeout`.
  static CliResult run_host(const std::vector<std::string>& argv,
                            const std::optional<std::string>& stdin_data = std::nullopt,
                            std::chrono::seconds timeout = kSlow);

  static microsandbox::Sandbox& sandbox();
  static const std::string& sandbox_name();
  static const std::string& home();
  // A fresh directory outside $MSB_HOME, removed with the suite.
  static std::string scratch_dir(const std::string& prefix);

  // The sandbox's shell running `script`, failing the test when it cannot start.
  static microsandbox::ExecOutput sh(const std::string& script,
                                     const microsandbox::ExecOptions& options = {});

  // `msb args...` through run_host().
  static CliResult msb(const std::vector<std::string>& args,
                       const std::optional<std::string>& stdin_data = std::nullopt,
                       std::chrono::seconds timeout = kSlow);

  // The guest's processes, parsed from its /proc/<pid>/stat files. They are read by the
  // shell's builtin `read`, so no reader process of ours (a cat) shows up among them.
  static std::vector<os::ProcessStat> guest_processes();

  // Live processes (not zombies) other than this one whose environment or command line
  // mentions $MSB_HOME, as "pid comm" strings; with `cmdline_part`, only those whose
  // command line also contains it.
  static std::vector<std::string> leftover_processes(const std::string& cmdline_part = "");

 protected:
  static void set_up_suite(const std::string& name);
  // Fails every test of the suite when its sandbox could not be created.
  void SetUp() override;
};

}  // namespace msb::testing
