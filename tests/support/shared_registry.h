// The one TestRegistry of a test binary. Linking shared_registry.cc into a test binary
// registers a gtest global environment that starts the registries (and pushes the
// fixtures) before the first test and stops them after the last, checking that no
// registry process outlived them: starting takes seconds, so every case shares them.
#pragma once

#include "test_registry.h"

namespace msb::testing {

// REQUIRES: called from a test (after the environment's set-up).
TestRegistry& shared_registry();

}  // namespace msb::testing
