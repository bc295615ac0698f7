// Listing through the SDK (src/sdk/sandbox_list.cc and Sandbox::list/list_page): newest
// first, keyset pages with an opaque cursor, and typed errors for a bad limit or cursor.
// Hermetic: a private $MSB_HOME whose store is filled directly; no sandbox boots.
#include "sdk/sandbox_list.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/paths.h"
#include "microsandbox/sandbox.h"
#include "os/file.h"
#include "scoped_env.h"
#include "sdk_test_util.h"
#include "store/database.h"
#include "store/sandbox_records.h"

namespace msb::sdk {
namespace {

using microsandbox::ErrorKind;
using microsandbox::Sandbox;
using microsandbox::SandboxListOptions;
using microsandbox::SandboxPage;
using msb::testing::error_of;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SandboxList : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> home = os::TempDir::create("msb-sdk-list-");
    ASSERT_TRUE(home.has_value());
    home_ = std::make_unique<os::TempDir>(std::move(*home));
    home_env_ = std::make_unique<msb::testing::ScopedEnv>("MSB_HOME", home_->path());
    Result<store::Database> db = store::Database::open(msb_db_path());
    ASSERT_TRUE(db.has_value()) << db.error().message;
    db_.emplace(std::move(*db));
  }
  void TearDown() override {
    db_.reset();
    home_env_.reset();
    home_.reset();
  }

  store::SandboxRecord add(const std::string& name, bool ephemeral = false) {
    Result<store::SandboxRecord> record = store::insert_sandbox(
        *db_, {.name = name, .config_json = "{}", .ephemeral = ephemeral, .labels = {}});
    EXPECT_TRUE(record.has_value()) << record.error().message;
    return record.value_or(store::SandboxRecord{});
  }
  store::Database& db() { return *db_; }

 private:
  std::unique_ptr<os::TempDir> home_;
  std::unique_ptr<msb::testing::ScopedEnv> home_env_;
  std::optional<store::Database> db_;
};

std::vector<std::string> names_of(const SandboxPage& page) {
  std::vector<std::string> names;
  for (const microsandbox::SandboxInfo& info : page.sandboxes) names.push_back(info.name);
  return names;
}

TEST(ListCursor, RoundTripsAndRejectsTextItDidNotMake) {
  store::SandboxListKey key{1700000000123456789, 42};
  EXPECT_EQ(decode_list_cursor(encode_list_cursor(key)).value(), key);
  for (const char* bad : {"", "v1.", "v1.5", "v1.a.2", "v2.1.2", "v1.-1.2", "v1.1.2x", "v1.1.2.3",
                          "v1..2", "v1.99999999999999999999.1"}) {
    Result<store::SandboxListKey> decoded = decode_list_cursor(bad);
    ASSERT_FALSE(decoded.has_value()) << bad;
    EXPECT_EQ(decoded.error().kind, msb::ErrorKind::kInvalidArgument);
    EXPECT_THAT(decoded.error().message, HasSubstr("invalid list cursor"));
  }
}

TEST_F(SandboxList, LimitMustBeFromOneToOneHundred) {
  for (uint32_t limit : {0u, 101u, 1000u}) {
    microsandbox::Error error = error_of([&] { Sandbox::list_page({.limit = limit}); });
    EXPECT_EQ(error.kind(), ErrorKind::kInvalidArgument);
    EXPECT_EQ(std::string(error.what()),
              "list limit must be from 1 to 100, got " + std::to_string(limit));
  }
  EXPECT_NO_THROW(Sandbox::list_page({.limit = 1}));
  EXPECT_NO_THROW(Sandbox::list_page({.limit = 100}));
}

TEST_F(SandboxList, AMalformedCursorIsInvalidArgument) {
  add("a");
  microsandbox::Error error = error_of([] { Sandbox::list_page({.cursor = "page-2"}); });
  EXPECT_EQ(error.kind(), ErrorKind::kInvalidArgument);
  EXPECT_THAT(error.what(), HasSubstr("invalid list cursor 'page-2'"));
}

TEST_F(SandboxList, ListIsTheFirstPageOfTwentyNewestFirst) {
  for (int i = 0; i < 25; ++i) add("s" + std::to_string(i));
  std::vector<microsandbox::SandboxInfo> first = Sandbox::list();
  ASSERT_EQ(first.size(), 20u);
  EXPECT_EQ(first.front().name, "s24");
  EXPECT_EQ(first.back().name, "s5");
  // The whole list (msb ls) has them all, newest first too.
  std::vector<store::SandboxRecord> all = list_sandboxes().value();
  ASSERT_EQ(all.size(), 25u);
  EXPECT_EQ(all.front().name, "s24");
  EXPECT_EQ(all.back().name, "s0");
}

TEST_F(SandboxList, CursorPagesWalkEverySandboxOnceEvenWhenMoreAreCreated) {
  for (const char* name : {"a", "b", "c", "d", "e"}) add(name);
  SandboxPage first = Sandbox::list_page({.limit = 2});
  EXPECT_THAT(names_of(first), ElementsAre("e", "d"));
  ASSERT_FALSE(first.next_cursor.empty());
  add("newer");  // newer than every page: it must not shift the ones to come
  SandboxPage second = Sandbox::list_page({.limit = 2, .cursor = first.next_cursor});
  EXPECT_THAT(names_of(second), ElementsAre("c", "b"));
  SandboxPage last = Sandbox::list_page({.limit = 2, .cursor = second.next_cursor});
  EXPECT_THAT(names_of(last), ElementsAre("a"));
  EXPECT_EQ(last.next_cursor, "");
  // A page that exactly fills up says so too: no empty page after it.
  SandboxPage exact = Sandbox::list_page({.limit = 6});
  EXPECT_EQ(exact.sandboxes.size(), 6u);
  EXPECT_EQ(exact.next_cursor, "");
}

TEST_F(SandboxList, PagesFilterByEveryLabel) {
  ASSERT_TRUE(
      store::insert_sandbox(db(), {.name = "x", .config_json = "{}", .labels = {{"t", "1"}}})
          .has_value());
  add("y");
  ASSERT_TRUE(
      store::insert_sandbox(db(), {.name = "z", .config_json = "{}", .labels = {{"t", "1"}}})
          .has_value());
  SandboxPage page = Sandbox::list_page({.labels = {{"t", "1"}}, .limit = 1});
  EXPECT_THAT(names_of(page), ElementsAre("z"));
  page = Sandbox::list_page({.labels = {{"t", "1"}}, .limit = 1, .cursor = page.next_cursor});
  EXPECT_THAT(names_of(page), ElementsAre("x"));
  EXPECT_EQ(page.next_cursor, "");
}

TEST_F(SandboxList, CrashedEphemeralSandboxesAreRemovedAndDoNotShortenAPage) {
  add("old");
  for (const char* name : {"gone1", "gone2"}) {
    store::SandboxRecord record = add(name, /*ephemeral=*/true);
    ASSERT_TRUE(
        store::set_sandbox_status(db(), record.id, store::SandboxStatus::kCrashed).has_value());
  }
  add("new");
  SandboxPage page = Sandbox::list_page({.limit = 2});
  EXPECT_THAT(names_of(page), ElementsAre("new", "old"));
  EXPECT_EQ(page.next_cursor, "");
  EXPECT_FALSE(store::find_sandbox(db(), "gone1").value());
}

}  // namespace
}  // namespace msb::sdk
