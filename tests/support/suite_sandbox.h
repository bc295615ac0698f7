// One real sandbox shared by all cases of a test suite (booting one under TCG takes seconds),
// under the suite's own $MSB_HOME, with a scratch directory for host-side files.
//
//   SuiteSandbox& suite() { static SuiteSandbox s; return s; }
//   static void SetUpTestSuite() { suite().begin("msb-x-"); ...; suite().create([] {...}); }
//   static void TearDownTestSuite() { suite().end(); }
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "microsandbox/sandbox.h"
#include "os/file.h"
#include "scoped_env.h"

namespace msb::testing {

struct SuiteSandbox {
  std::unique_ptr<os::TempDir> home;
  std::unique_ptr<ScopedEnv> home_env;
  std::unique_ptr<os::TempDir> scratch;
  std::optional<microsandbox::Sandbox> sandbox;
  std::string setup_error;  // why create() failed; the cases report it

  // A fresh $MSB_HOME and scratch directory, both named after `prefix`.
  void begin(const std::string& prefix) {
    home = std::make_unique<os::TempDir>(std::move(*os::TempDir::create(prefix + "home-")));
    home_env = std::make_unique<ScopedEnv>("MSB_HOME", home->path());
    scratch = std::make_unique<os::TempDir>(std::move(*os::TempDir::create(prefix)));
  }
  // The sandbox `make` creates; an error is kept in setup_error (gtest cannot fail here).
  void create(const std::function<microsandbox::Sandbox()>& make) {
    try {
      sandbox.emplace(make());
    } catch (const microsandbox::Error& error) {
      setup_error = error.what();
    }
  }
  std::string path(const std::string& relative) const { return scratch->path() + "/" + relative; }
  // Stops and removes the sandbox (if it was created), then the directories.
  void stop_sandbox() {
    if (!sandbox) return;
    try {
      sandbox->stop_and_wait(std::chrono::seconds(30));
      sandbox->remove_persisted();
    } catch (const microsandbox::Error& error) {
      ADD_FAILURE() << "stopping the sandbox: " << error.what();
    }
    sandbox.reset();
  }
  void end() {
    stop_sandbox();
    scratch.reset();
    home_env.reset();
    home.reset();
  }
};

}  // namespace msb::testing
