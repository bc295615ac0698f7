// Helpers for tests that drive the public SDK (include/microsandbox) against real sandboxes.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <ostream>

#include "microsandbox/sandbox.h"
#include "wait_until.h"

namespace microsandbox {

// Readable names in gtest failure messages.
inline void PrintTo(ErrorKind kind, std::ostream* os) { *os << error_kind_name(kind); }
inline void PrintTo(SandboxStatus status, std::ostream* os) { *os << status_name(status); }

}  // namespace microsandbox

namespace msb::testing {

// Runs `body` and returns the microsandbox::Error it throws; fails the test (and returns a
// kInternal error) when it throws nothing.
inline microsandbox::Error error_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const microsandbox::Error& error) {
    return error;
  }
  ADD_FAILURE() << "expected a microsandbox::Error, but nothing was thrown";
  return microsandbox::Error(microsandbox::ErrorKind::kInternal, "nothing thrown");
}

// Kills and removes every sandbox of the current $MSB_HOME (a test's clean-up).
inline void remove_all_sandboxes() {
  for (const microsandbox::SandboxInfo& info : microsandbox::Sandbox::list()) {
    try {
      microsandbox::Sandbox::connect(info.name).kill();
    } catch (const microsandbox::Error&) {
    }
    (void)wait_until(
        [&] {
          return microsandbox::Sandbox::get(info.name).status !=
                 microsandbox::SandboxStatus::kRunning;
        },
        std::chrono::seconds(30));
    microsandbox::Sandbox::remove(info.name);
  }
}

}  // namespace msb::testing
