// msb volume create|ls|inspect|rm (and `msb vol`) through the real msb binary, each case
// with its own $MSB_HOME. No sandbox boots: sandboxes that use a volume are stored records
// whose config mounts it.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "msb_harness.h"
#include "os/file.h"
#include "store/database.h"
#include "store/run_records.h"
#include "stored_mounts.h"

namespace msb::testing {
namespace {

using ::testing::HasSubstr;

// One behaviour: msb with `argv` exits with `code` and prints `out` (exactly) on stdout;
// `err` ("" for any) is part of its stderr.
struct Row {
  std::vector<std::string> argv;
  int code;
  std::string out;
  std::string err;
};

class MsbVolume : public ::testing::Test {
 protected:
  std::string dir_of(const std::string& name) const { return harness_.home() + "/volumes/" + name; }
  store::Database open_store() {
    return std::move(*store::Database::open(harness_.home() + "/db/msb.db"));
  }
  void expect_rows(const std::vector<Row>& rows) {
    for (const Row& row : rows) {
      MsbResult result = harness_.run(row.argv, std::chrono::seconds(30));
      std::string shown = fmt::format("msb {}", fmt::join(row.argv, " "));
      EXPECT_EQ(result.exit_code, row.code) << shown << "\n" << result.err;
      EXPECT_EQ(result.out, row.out) << shown;
      EXPECT_THAT(result.err, HasSubstr(row.err)) << shown;
    }
  }
  nlohmann::json json_of(const std::vector<std::string>& argv) {
    MsbResult result = harness_.run(argv, std::chrono::seconds(30));
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return nlohmann::json::parse(result.out, nullptr, false);
  }

  MsbHarness harness_;
};

TEST_F(MsbVolume, CreateListAndRemove) {
  expect_rows({
      {{"volume", "ls", "-q"}, 0, "", ""},
      {{"volume", "create", "cache"}, 0, "cache\n", ""},
      {{"vol", "create", "alpha", "--kind", "dir", "--label", "team=ml"}, 0, "alpha\n", ""},
      {{"volume", "ls", "-q"}, 0, "alpha\ncache\n", ""},
      {{"volume", "rm", "alpha", "cache"}, 0, "alpha\ncache\n", ""},
      {{"volume", "ls", "-q"}, 0, "", ""},
  });
  EXPECT_FALSE(os::path_exists(dir_of("cache")));
}

TEST_F(MsbVolume, RefusalsAndTheirExitCodes) {
  expect_rows({
      {{"volume", "create", "d", "--kind", "disk"}, 2, "", "a disk volume needs a size"},
      {{"volume", "create", "d", "--kind", "disk", "--size", "1M"},
       2,
       "",
       "a disk volume needs a size from 16 MiB to 16 TiB"},
      {{"volume", "create", "q", "--quota", "1G"}, 125, "", "volume quotas are not supported yet"},
      {{"volume", "create", "s", "--size", "1G"},
       2,
       "",
       "volume size applies only to disk volumes"},
      {{"volume", "create", "s", "--size", "lots"}, 2, "", "--size"},
      {{"volume", "create", "k", "--kind", "nfs"}, 2, "", "unknown volume kind 'nfs'"},
      {{"volume", "create", "bad/name"}, 2, "", "volume name must start with an alphanumeric"},
      {{"volume", "create", "l", "--label", "novalue"}, 2, "", "--label"},
      {{"volume", "create", "l", "--label", "sandbox.x=1"}, 2, "", "reserved prefix"},
      {{"volume", "ls", "-q"}, 0, "", ""},
      {{"volume", "create", "taken"}, 0, "taken\n", ""},
      {{"volume", "create", "taken"}, 125, "", "volume 'taken' already exists"},
      {{"volume", "inspect", "missing"}, 125, "", "volume 'missing' not found"},
      {{"volume", "rm", "missing", "taken"}, 125, "taken\n", "volume 'missing' not found"},
      {{"volume", "ls", "--format", "yaml"}, 2, "", "--format must be table or json"},
      {{"volume"}, 2, "", ""},
  });
}

TEST_F(MsbVolume, InspectAndListAsJson) {
  expect_rows({{{"volume", "create", "cache", "--label", "team=ml"}, 0, "cache\n", ""}});
  nlohmann::json inspected = json_of({"volume", "inspect", "cache"});
  ASSERT_TRUE(inspected.is_object()) << inspected;
  EXPECT_EQ(inspected["name"], "cache");
  EXPECT_EQ(inspected["kind"], "dir");
  EXPECT_EQ(inspected["path"], dir_of("cache"));
  EXPECT_EQ(inspected["labels"], (nlohmann::json{{"team", "ml"}}));
  EXPECT_EQ(inspected["used_by"], nlohmann::json::array());
  EXPECT_EQ(inspected["quota_mib"], 0);
  EXPECT_TRUE(inspected["created_at"].get<std::string>().ends_with("Z"));
  nlohmann::json listed = json_of({"volume", "ls", "--format", "json"});
  ASSERT_TRUE(listed.is_array());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0], inspected);
  expect_rows({{{"volume", "create", "other"}, 0, "other\n", ""}});
  EXPECT_EQ(json_of({"volume", "inspect", "cache", "other"}).size(), 2u);
}

TEST_F(MsbVolume, TheTableShowsKindAndUsers) {
  expect_rows({{{"volume", "create", "cache"}, 0, "cache\n", ""}});
  {
    store::Database db = open_store();
    add_sandbox_using(db, "web", {"cache"});
    add_sandbox_using(db, "api", {"cache"});
  }
  MsbResult listed = harness_.run({"volume", "ls"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("NAME"));
  EXPECT_THAT(listed.out, ::testing::MatchesRegex("(.|\n)*cache +dir +[-0-9T:Z]+ +api,web\n"));
}

// `msb inspect` shows a sandbox's mounts one per line, with the options always on.
TEST_F(MsbVolume, InspectShowsEachMountOnALine) {
  {
    store::Database db = open_store();
    add_sandbox_using(db, "web", {"cache", "pip"});
  }
  MsbResult inspected = harness_.run({"inspect", "web"});
  EXPECT_EQ(inspected.exit_code, 0) << inspected.err;
  EXPECT_THAT(inspected.out, HasSubstr("mounts:\n"
                                       "  /data0  named cache  rw,nosuid,nodev\n"
                                       "  /data1  named pip  rw,nosuid,nodev\n"
                                       "patches:      0\n"));
}

TEST_F(MsbVolume, RmIsRefusedWhileUsedAndForceStopsAtARunningUser) {
  expect_rows({{{"volume", "create", "cache"}, 0, "cache\n", ""}});
  store::Database db = open_store();
  int64_t web = add_sandbox_using(db, "web", {"cache"});
  add_sandbox_using(db, "api", {"cache"});
  // This test process stands in for web's live supervisor.
  ASSERT_TRUE(store::begin_run(db, web, ::getpid(), 0).has_value());
  expect_rows({
      {{"volume", "rm", "cache"},
       125,
       "",
       "msb: error: volume cache is used by sandbox(es) api, web: remove them first or use "
       "--force"},
      {{"volume", "rm", "-f", "cache"},
       125,
       "",
       "msb: error: volume cache is used by running sandbox(es) web: stop them first"},
  });
  EXPECT_TRUE(os::is_directory(dir_of("cache")));
  ASSERT_TRUE(db.exec("UPDATE run SET status = 'terminated', termination_reason = 'completed', "
                      "terminated_at = 1; UPDATE sandbox SET status = 'stopped'")
                  .has_value());
  expect_rows({
      {{"volume", "rm", "--force", "cache"}, 0, "cache\n", ""},
      {{"volume", "ls", "-q"}, 0, "", ""},
  });
  EXPECT_FALSE(os::path_exists(dir_of("cache")));
}

}  // namespace
}  // namespace msb::testing
