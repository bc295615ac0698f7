#include "store/sandbox_records.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "os/clock.h"
#include "store/run_records.h"
#include "store_test_util.h"

namespace msb::store {
namespace {

using SandboxRecords = StoreTest;

using Labels = std::map<std::string, std::string>;

int64_t now_ns() { return static_cast<int64_t>(os::realtime_ns()); }

std::vector<std::string> names_of(const Result<std::vector<SandboxRecord>>& records) {
  EXPECT_TRUE(records.has_value()) << records.error().message;
  std::vector<std::string> names;
  for (const SandboxRecord& record : records.value_or(std::vector<SandboxRecord>{})) {
    names.push_back(record.name);
  }
  return names;
}

TEST(SandboxStatus, NamesAreTheStoredSpellingsAndParseBack) {
  const std::vector<std::pair<SandboxStatus, std::string_view>> expected = {
      {SandboxStatus::kCreated, "created"},   {SandboxStatus::kRunning, "running"},
      {SandboxStatus::kDraining, "draining"}, {SandboxStatus::kPaused, "paused"},
      {SandboxStatus::kStopped, "stopped"},   {SandboxStatus::kCrashed, "crashed"}};
  for (const auto& [status, name] : expected) {
    EXPECT_EQ(sandbox_status_name(status), name);
    EXPECT_EQ(parse_sandbox_status(name).value(), status);
  }
}

TEST(SandboxStatus, ParseRejectsUnknownNames) {
  for (std::string_view name : {"", "Running", "exploded", "running "}) {
    Result<SandboxStatus> status = parse_sandbox_status(name);
    ASSERT_FALSE(status.has_value()) << name;
    EXPECT_EQ(status.error().kind, ErrorKind::kInvalidArgument);
  }
  EXPECT_EQ(parse_sandbox_status("bogus").error().message, "unknown sandbox status 'bogus'");
}

TEST_F(SandboxRecords, InsertStoresTheSandboxAsCreatedWithItsLabels) {
  Database db = open_db();
  int64_t before = now_ns();
  SandboxRecord record = insert_sandbox(db, NewSandbox{.name = "job",
                                                       .config_json = R"({"image":"python"})",
                                                       .ephemeral = true,
                                                       .labels = {{"env", "prod"}, {"team", "x"}}})
                             .value();
  int64_t after = now_ns();
  EXPECT_GT(record.id, 0);
  EXPECT_EQ(record.name, "job");
  EXPECT_EQ(record.config_json, R"({"image":"python"})");
  EXPECT_EQ(record.status, SandboxStatus::kCreated);
  EXPECT_TRUE(record.ephemeral);
  EXPECT_EQ(record.last_error, "");
  EXPECT_GE(record.created_at_ns, before);
  EXPECT_LE(record.created_at_ns, after);
  EXPECT_EQ(record.updated_at_ns, record.created_at_ns);
  EXPECT_EQ(record.labels, (Labels{{"env", "prod"}, {"team", "x"}}));
  EXPECT_EQ(find_sandbox(db, "job").value(), record);
  EXPECT_EQ(query_text(db, "SELECT status FROM sandbox"), "created");
  EXPECT_EQ(query_int(db, "SELECT last_error IS NULL FROM sandbox"), 1);
}

TEST_F(SandboxRecords, InsertOfAUsedNameIsAlreadyExistsAndLeavesTheFirstUntouched) {
  Database db = open_db();
  SandboxRecord first = create_sandbox(db, "job", {{"env", "prod"}});
  Result<SandboxRecord> second = insert_sandbox(
      db, NewSandbox{.name = "job", .config_json = R"({"x":1})", .labels = {{"other", "1"}}});
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().kind, ErrorKind::kAlreadyExists);
  EXPECT_EQ(second.error().message,
            "sandbox 'job' already exists; remove it, start the stopped sandbox, or recreate "
            "with replace");
  EXPECT_EQ(find_sandbox(db, "job").value(), first);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM sandbox"), 1);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM sandbox_label"), 1);
}

TEST_F(SandboxRecords, FindOfAMissingNameIsNullopt) {
  Database db = open_db();
  create_sandbox(db, "job");
  EXPECT_EQ(find_sandbox(db, "jo").value(), std::nullopt);
  EXPECT_EQ(find_sandbox(db, "").value(), std::nullopt);
}

TEST_F(SandboxRecords, FindSeesAnotherConnectionsInsert) {
  Database writer = open_db();
  Database reader = open_db();
  SandboxRecord record = create_sandbox(writer, "job", {{"a", "1"}});
  EXPECT_EQ(find_sandbox(reader, "job").value(), record);
}

TEST_F(SandboxRecords, ListWithoutSelectorReturnsAllNewestFirstWithAllTheirLabels) {
  Database db = open_db();
  EXPECT_TRUE(list_sandboxes(db).value().empty());
  create_sandbox(db, "c");
  create_sandbox(db, "a", {{"k", "v"}, {"z", "1"}});
  create_sandbox(db, "b");
  std::vector<SandboxRecord> all = list_sandboxes(db).value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].name, "b");
  EXPECT_TRUE(all[0].labels.empty());
  EXPECT_EQ(all[1].name, "a");
  EXPECT_EQ(all[1].labels, (Labels{{"k", "v"}, {"z", "1"}}));
  EXPECT_EQ(all[2].name, "c");
  EXPECT_EQ(all[1], find_sandbox(db, "a").value());
}

TEST_F(SandboxRecords, ListBreaksCreatedAtTiesByIdDescending) {
  Database db = open_db();
  for (const char* name : {"x", "y", "z", "w"}) create_sandbox(db, name);
  // x, y and z share one creation time; w is older.
  ASSERT_TRUE(
      db.exec("UPDATE sandbox SET created_at = 500 WHERE name IN ('x', 'y', 'z')").has_value());
  ASSERT_TRUE(db.exec("UPDATE sandbox SET created_at = 100 WHERE name = 'w'").has_value());
  EXPECT_EQ(names_of(list_sandboxes(db)), (std::vector<std::string>{"z", "y", "x", "w"}));
}

// Every page of list_sandboxes_after, `limit` at a time, as names per page.
std::vector<std::vector<std::string>> pages_of(Database& db, size_t limit, const Labels& labels) {
  std::vector<std::vector<std::string>> pages;
  std::optional<SandboxListKey> after;
  for (;;) {
    std::vector<SandboxRecord> page = list_sandboxes_after(db, labels, after, limit).value();
    if (page.empty()) return pages;
    pages.push_back(names_of(page));
    after = list_key_of(page.back());
  }
}

TEST_F(SandboxRecords, PagesAfterAKeyWalkTheListOrderWithoutGapsOrRepeats) {
  Database db = open_db();
  for (const char* name : {"a", "b", "c", "d", "e"}) create_sandbox(db, name, {{"n", "1"}});
  create_sandbox(db, "unlabelled");
  ASSERT_TRUE(
      db.exec("UPDATE sandbox SET created_at = 7 WHERE name IN ('b', 'c', 'd')").has_value());
  using Pages = std::vector<std::vector<std::string>>;
  EXPECT_EQ(pages_of(db, 2, {{"n", "1"}}), (Pages{{"e", "a"}, {"d", "c"}, {"b"}}));
  EXPECT_EQ(pages_of(db, 100, {}), (Pages{{"unlabelled", "e", "a", "d", "c", "b"}}));
  // Labels come whole even though the limit counts sandboxes, not label rows.
  create_sandbox(db, "many", {{"n", "1"}, {"o", "2"}, {"p", "3"}});
  std::vector<SandboxRecord> first = list_sandboxes_after(db, {}, std::nullopt, 1).value();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].labels, (Labels{{"n", "1"}, {"o", "2"}, {"p", "3"}}));
}

TEST_F(SandboxRecords, APageAfterAKeyIsStableWhenSandboxesAreAdded) {
  Database db = open_db();
  for (const char* name : {"a", "b", "c", "d"}) create_sandbox(db, name);
  std::vector<SandboxRecord> first = list_sandboxes_after(db, {}, std::nullopt, 2).value();
  ASSERT_EQ(names_of(first), (std::vector<std::string>{"d", "c"}));
  create_sandbox(db, "new1");
  create_sandbox(db, "new2");
  EXPECT_EQ(names_of(list_sandboxes_after(db, {}, list_key_of(first.back()), 2)),
            (std::vector<std::string>{"b", "a"}));
  // A removed row's key still marks the place.
  ASSERT_TRUE(delete_sandbox(db, first.back().id).has_value());
  EXPECT_EQ(names_of(list_sandboxes_after(db, {}, list_key_of(first.back()), 5)),
            (std::vector<std::string>{"b", "a"}));
}

TEST_F(SandboxRecords, ListSelectorRequiresEveryPair) {
  Database db = open_db();
  create_sandbox(db, "a", {{"env", "prod"}, {"team", "x"}});
  create_sandbox(db, "b", {{"env", "prod"}});
  create_sandbox(db, "c", {{"env", "dev"}, {"team", "x"}});
  create_sandbox(db, "d");
  EXPECT_EQ(names_of(list_sandboxes(db, {{"env", "prod"}})), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(names_of(list_sandboxes(db, {{"team", "x"}})), (std::vector<std::string>{"c", "a"}));
  EXPECT_EQ(names_of(list_sandboxes(db, {{"env", "prod"}, {"team", "x"}})),
            (std::vector<std::string>{"a"}));
  EXPECT_TRUE(names_of(list_sandboxes(db, {{"env", "prod"}, {"team", "y"}})).empty());
  EXPECT_TRUE(names_of(list_sandboxes(db, {{"env", "staging"}})).empty());
  // A value must match exactly, and the key must be the one it belongs to.
  EXPECT_TRUE(names_of(list_sandboxes(db, {{"env", "pro"}})).empty());
  EXPECT_TRUE(names_of(list_sandboxes(db, {{"team", "prod"}})).empty());
  // Matching sandboxes still come with all of their labels.
  std::vector<SandboxRecord> matched = list_sandboxes(db, {{"team", "x"}}).value();
  ASSERT_EQ(matched.size(), 2u);
  EXPECT_EQ(matched[0].labels, (Labels{{"env", "dev"}, {"team", "x"}}));
  EXPECT_EQ(matched[1].labels, (Labels{{"env", "prod"}, {"team", "x"}}));
}

TEST_F(SandboxRecords, SetStatusSetsLeavesOrClearsTheLastError) {
  Database db = open_db();
  SandboxRecord record = create_sandbox(db, "job");
  ASSERT_TRUE(set_sandbox_status(db, record.id, SandboxStatus::kCrashed, "boom").has_value());
  SandboxRecord crashed = find_sandbox(db, "job").value().value();
  EXPECT_EQ(crashed.status, SandboxStatus::kCrashed);
  EXPECT_EQ(crashed.last_error, "boom");
  EXPECT_GE(crashed.updated_at_ns, record.updated_at_ns);
  EXPECT_EQ(crashed.created_at_ns, record.created_at_ns);

  ASSERT_TRUE(set_sandbox_status(db, record.id, SandboxStatus::kStopped).has_value());
  EXPECT_EQ(find_sandbox(db, "job").value()->status, SandboxStatus::kStopped);
  EXPECT_EQ(find_sandbox(db, "job").value()->last_error, "boom");

  ASSERT_TRUE(set_sandbox_status(db, record.id, SandboxStatus::kPaused, "").has_value());
  EXPECT_EQ(find_sandbox(db, "job").value()->status, SandboxStatus::kPaused);
  EXPECT_EQ(find_sandbox(db, "job").value()->last_error, "");
  EXPECT_EQ(query_int(db, "SELECT last_error IS NULL FROM sandbox"), 1);
}

TEST_F(SandboxRecords, SetStatusWritesTheStoredSpelling) {
  Database db = open_db();
  SandboxRecord record = create_sandbox(db, "job");
  ASSERT_TRUE(set_sandbox_status(db, record.id, SandboxStatus::kDraining).has_value());
  EXPECT_EQ(query_text(db, "SELECT status FROM sandbox"), "draining");
}

TEST_F(SandboxRecords, SetStatusOfAMissingSandboxIsNotFound) {
  Database db = open_db();
  SandboxRecord record = create_sandbox(db, "job");
  Result<void> result = set_sandbox_status(db, record.id + 1, SandboxStatus::kRunning);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(result.error().message, fmt::format("store: no sandbox with id {}", record.id + 1));
  EXPECT_EQ(find_sandbox(db, "job").value()->status, SandboxStatus::kCreated);
}

TEST_F(SandboxRecords, SetConfigReplacesTheConfig) {
  Database db = open_db();
  SandboxRecord record = create_sandbox(db, "job");
  ASSERT_TRUE(set_sandbox_config(db, record.id, R"({"memory":512})").has_value());
  SandboxRecord updated = find_sandbox(db, "job").value().value();
  EXPECT_EQ(updated.config_json, R"({"memory":512})");
  EXPECT_GE(updated.updated_at_ns, record.updated_at_ns);
  EXPECT_EQ(updated.status, SandboxStatus::kCreated);

  Result<void> missing = set_sandbox_config(db, record.id + 1, "{}");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST_F(SandboxRecords, DeleteRemovesTheSandboxItsLabelsAndRuns) {
  Database db = open_db();
  SandboxRecord record = create_sandbox(db, "job", {{"a", "1"}, {"b", "2"}});
  SandboxRecord other = create_sandbox(db, "other", {{"a", "1"}});
  ASSERT_TRUE(begin_run(db, record.id, 42, 7).has_value());
  ASSERT_TRUE(begin_run(db, other.id, 43, 8).has_value());

  ASSERT_TRUE(delete_sandbox(db, record.id).has_value());
  EXPECT_EQ(find_sandbox(db, "job").value(), std::nullopt);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM sandbox_label"), 1);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM run"), 1);
  EXPECT_EQ(find_sandbox(db, "other").value()->labels, (Labels{{"a", "1"}}));

  Result<void> again = delete_sandbox(db, record.id);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().kind, ErrorKind::kNotFound);
}

TEST_F(SandboxRecords, ANameIsFreeAgainAfterDelete) {
  Database db = open_db();
  SandboxRecord first = create_sandbox(db, "job", {{"a", "1"}});
  ASSERT_TRUE(delete_sandbox(db, first.id).has_value());
  SandboxRecord second = create_sandbox(db, "job");
  EXPECT_EQ(find_sandbox(db, "job").value(), second);
  EXPECT_TRUE(second.labels.empty());
}

}  // namespace
}  // namespace msb::store
