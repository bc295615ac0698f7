#include "shared_registry.h"

#include <gtest/gtest.h>

namespace msb::testing {
namespace {

class SharedRegistryEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    Result<std::unique_ptr<TestRegistry>> started = TestRegistry::start();
    ASSERT_TRUE(started.has_value()) << started.error().message;
    registry = std::move(*started);
  }
  void TearDown() override {
    if (!registry) return;
    std::string dir = registry->dir();
    registry.reset();
    EXPECT_TRUE(processes_mentioning(dir).empty()) << "leftover registry processes";
  }
  std::unique_ptr<TestRegistry> registry;
};

// gtest owns the environment once added.
SharedRegistryEnvironment* const environment = static_cast<SharedRegistryEnvironment*>(
    ::testing::AddGlobalTestEnvironment(new SharedRegistryEnvironment));

}  // namespace

TestRegistry& shared_registry() { return *environment->registry; }

}  // namespace msb::testing
