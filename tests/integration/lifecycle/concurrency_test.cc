// Many sandboxes at once, from many threads of one process, each with its own handles and
// store connections: distinct names all come up, and a name raced for is won exactly once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "lifecycle_fixture.h"

namespace msb::testing {
namespace {

using microsandbox::ErrorKind;
using microsandbox::Sandbox;
using microsandbox::SandboxInfo;
using microsandbox::SandboxStatus;
using ::testing::IsEmpty;

// Runs body(i) for i in [0, count) on `count` threads started together; returns each one's
// error ("" when it succeeded).
std::vector<std::string> run_concurrently(int count, const std::function<void(int)>& body) {
  std::vector<std::string> errors(count);
  std::latch ready(count);
  std::vector<std::thread> threads;
  for (int i = 0; i < count; ++i) {
    threads.emplace_back([&, i] {
      ready.arrive_and_wait();
      try {
        body(i);
      } catch (const microsandbox::Error& error) {
        errors[i] = std::string(microsandbox::error_kind_name(error.kind())) + ": " + error.what();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return errors;
}

TEST_F(LifecycleTest, TenConcurrentCreatesWithDistinctNamesAllSucceed) {
  constexpr int kCount = 10;
  // The store exists, as after any first use: the first open of a fresh store is a race of
  // its own (see FirstUseOfAFreshStoreFromManyThreads).
  EXPECT_THAT(Sandbox::list(), IsEmpty());
  auto name = [](int i) { return "many-" + std::to_string(i); };
  std::vector<std::string> created = run_concurrently(
      kCount, [&](int i) { sandbox_builder(name(i)).label("batch", "1").create_detached(); });
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(created[i], "") << name(i);

  std::vector<SandboxInfo> listed = Sandbox::list({{"batch", "1"}});
  EXPECT_EQ(listed.size(), size_t(kCount));
  for (const SandboxInfo& info : listed) EXPECT_EQ(info.status, SandboxStatus::kRunning);
  EXPECT_EQ(leftover_processes(true).size(), size_t(kCount));
  std::vector<std::string> answered = run_concurrently(kCount, [&](int i) {
    std::string out = Sandbox::connect(name(i)).exec("hostname").stdout_data;
    if (out != name(i) + "\n") throw microsandbox::Error(ErrorKind::kInternal, "hostname " + out);
  });
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(answered[i], "") << name(i);

  std::vector<std::string> stopped = run_concurrently(
      kCount, [&](int i) { Sandbox::connect(name(i)).stop_and_wait(std::chrono::seconds(60)); });
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(stopped[i], "") << name(i);
  for (const SandboxInfo& info : Sandbox::list())
    EXPECT_EQ(info.status, SandboxStatus::kStopped) << info.name;
  std::vector<std::string> removed =
      run_concurrently(kCount, [&](int i) { Sandbox::remove(name(i)); });
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(removed[i], "") << name(i);
  EXPECT_THAT(Sandbox::list(), IsEmpty());
}

TEST_F(LifecycleTest, TwoConcurrentCreatesOfOneNameGiveOneSandbox) {
  EXPECT_THAT(Sandbox::list(), IsEmpty());  // an existing store, as above
  std::vector<std::string> results = run_concurrently(2, [](int i) {
    sandbox_builder("same").label("creator", std::to_string(i)).create_detached();
  });
  int won = 0, exists = 0;
  for (const std::string& result : results) {
    if (result.empty()) {
      ++won;
    } else if (result.starts_with("already-exists: ")) {
      ++exists;
    } else {
      ADD_FAILURE() << "unexpected failure: " << result;
    }
  }
  EXPECT_EQ(won, 1);
  EXPECT_EQ(exists, 1);
  std::vector<SandboxInfo> listed = Sandbox::list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].status, SandboxStatus::kRunning);
  // The record is the winner's.
  int winner = results[0].empty() ? 0 : 1;
  EXPECT_EQ(listed[0].labels.at("creator"), std::to_string(winner));
  EXPECT_EQ(leftover_processes(true).size(), 1u);
  EXPECT_EQ(Sandbox::connect("same").exec("echo", {"one"}).stdout_data, "one\n");
  Sandbox::connect("same").stop_and_wait();
  Sandbox::remove("same");
}

// A fresh store opened by several connections at once: all wait their turn.
TEST_F(LifecycleTest, FirstUseOfAFreshStoreFromManyThreads) {
  constexpr int kRounds = 20;
  constexpr int kThreads = 4;
  for (int round = 0; round < kRounds; ++round) {
    std::string fresh = home() + "/fresh-" + std::to_string(round);
    ScopedEnv fresh_home("MSB_HOME", fresh);
    std::vector<std::string> listed =
        run_concurrently(kThreads, [](int) { EXPECT_THAT(Sandbox::list(), IsEmpty()); });
    for (int i = 0; i < kThreads; ++i) EXPECT_EQ(listed[i], "") << "round " << round;
    ASSERT_TRUE(os::remove_tree(fresh));
  }
}

}  // namespace
}  // namespace msb::testing
