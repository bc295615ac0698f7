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

}  // namespace msb::testing
