#include "common/defer.h"

#include <gtest/gtest.h>

#include <string>

namespace msb {
namespace {

TEST(Defer, RunsAtScopeExit) {
  int runs = 0;
  {
    MSB_DEFER { ++runs; };
    EXPECT_EQ(runs, 0);
  }
  EXPECT_EQ(runs, 1);
}

TEST(Defer, RunsInReverseOrder) {
  std::string order;
  {
    MSB_DEFER { order += "a"; };
    MSB_DEFER { order += "b"; };
    MSB_DEFER { order += "c"; };
  }
  EXPECT_EQ(order, "cba");
}

int return_with_cleanup(bool early, int* cleanups) {
  MSB_DEFER { ++*cleanups; };
  if (early) return 1;
  return 2;
}

TEST(Defer, RunsOnEveryReturnPath) {
  int cleanups = 0;
  EXPECT_EQ(return_with_cleanup(true, &cleanups), 1);
  EXPECT_EQ(return_with_cleanup(false, &cleanups), 2);
  EXPECT_EQ(cleanups, 2);
}

TEST(Defer, SeesTheLatestValueOfCapturedVariables) {
  int seen = 0;
  {
    int value = 1;
    MSB_DEFER { seen = value; };
    value = 7;
  }
  EXPECT_EQ(seen, 7);
}

TEST(Defer, RunsWhenLeavingALoopIteration) {
  int runs = 0;
  for (int i = 0; i < 3; ++i) {
    MSB_DEFER { ++runs; };
    if (i == 1) continue;
  }
  EXPECT_EQ(runs, 3);
}

}  // namespace
}  // namespace msb
