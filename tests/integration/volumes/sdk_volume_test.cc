// The public Volume API (include/microsandbox/volume.h) against a private $MSB_HOME. No
// sandbox boots: sandboxes that use a volume are stored records whose config mounts it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "config/sandbox_config.h"
#include "microsandbox/volume.h"
#include "os/file.h"
#include "scoped_env.h"
#include "sdk_test_util.h"
#include "store/database.h"
#include "store/run_records.h"
#include "store/sandbox_records.h"
#include "stored_mounts.h"

namespace msb::testing {
namespace {

using microsandbox::ErrorKind;
using microsandbox::Volume;
using microsandbox::VolumeInfo;
using microsandbox::VolumeKind;
using microsandbox::VolumeOptions;

class SdkVolume : public ::testing::Test {
 protected:
  SdkVolume()
      : home_(std::move(*os::TempDir::create("msb-volume-it-"))), env_("MSB_HOME", home_.path()) {}

  std::string dir_of(const std::string& name) const { return home_.path() + "/volumes/" + name; }
  store::Database open_store() {
    return std::move(*store::Database::open(home_.path() + "/db/msb.db"));
  }

  os::TempDir home_;
  ScopedEnv env_;
};

std::vector<std::string> names_of(const std::vector<VolumeInfo>& volumes) {
  std::vector<std::string> names;
  for (const VolumeInfo& volume : volumes) names.push_back(volume.name);
  return names;
}

TEST_F(SdkVolume, CreateGivesTheVolumeAndItsDirectory) {
  auto before = std::chrono::system_clock::now();
  Volume cache = Volume::create("pip-cache", VolumeOptions{.labels = {{"team", "ml"}}});
  EXPECT_EQ(cache.name(), "pip-cache");
  EXPECT_EQ(cache.kind(), VolumeKind::kDir);
  EXPECT_STREQ(microsandbox::volume_kind_name(cache.kind()), "dir");
  EXPECT_EQ(cache.path(), dir_of("pip-cache"));
  EXPECT_GE(cache.created_at(), before - std::chrono::seconds(1));
  EXPECT_EQ(cache.labels(), (std::map<std::string, std::string>{{"team", "ml"}}));
  EXPECT_TRUE(cache.used_by().empty());
  struct stat st {};
  ASSERT_EQ(::stat(cache.path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  EXPECT_EQ(st.st_uid, ::getuid());
}

TEST_F(SdkVolume, GetReadsWhatCreateStored) {
  Volume created = Volume::create("data", VolumeOptions{.labels = {{"a", "1"}}});
  Volume got = Volume::get("data");
  EXPECT_EQ(got.name(), created.name());
  EXPECT_EQ(got.path(), created.path());
  EXPECT_EQ(got.created_at(), created.created_at());
  EXPECT_EQ(got.labels(), created.labels());
  Volume copy = got;
  EXPECT_EQ(copy.info().path, got.path());
}

TEST_F(SdkVolume, ListIsByName) {
  EXPECT_TRUE(Volume::list().empty());
  Volume::create("zeta");
  Volume::create("alpha");
  EXPECT_EQ(names_of(Volume::list()), (std::vector<std::string>{"alpha", "zeta"}));
}

TEST_F(SdkVolume, ErrorsCarryTheirKinds) {
  Volume::create("taken");
  EXPECT_EQ(error_of([] { Volume::create("taken"); }).kind(), ErrorKind::kAlreadyExists);
  EXPECT_EQ(error_of([] { Volume::create("bad/name"); }).kind(), ErrorKind::kInvalidConfig);
  EXPECT_EQ(error_of([] { Volume::get("missing"); }).kind(), ErrorKind::kNotFound);
  EXPECT_EQ(error_of([] { Volume::remove("missing"); }).kind(), ErrorKind::kNotFound);
  microsandbox::Error disk =
      error_of([] { Volume::create("d", VolumeOptions{.kind = VolumeKind::kDisk}); });
  EXPECT_EQ(disk.kind(), ErrorKind::kInvalidConfig);
  EXPECT_NE(std::string(disk.what()).find("a disk volume needs a size"), std::string::npos);
  microsandbox::Error quota = error_of([] { Volume::create("q", VolumeOptions{.quota_mib = 10}); });
  EXPECT_EQ(quota.kind(), ErrorKind::kUnsupported);
  EXPECT_EQ(std::string(quota.what()).rfind("volume quotas are not supported yet", 0), 0u);
  EXPECT_EQ(error_of([] { Volume::create("s", VolumeOptions{.size_bytes = 1}); }).kind(),
            ErrorKind::kInvalidConfig);
  EXPECT_EQ(names_of(Volume::list()), std::vector<std::string>{"taken"});
}

TEST_F(SdkVolume, RemoveDeletesTheVolumeAndItsFiles) {
  Volume cache = Volume::create("cache");
  ASSERT_TRUE(os::write_file(cache.path() + "/file", "x").has_value());
  Volume::remove("cache");
  EXPECT_FALSE(os::path_exists(cache.path()));
  EXPECT_TRUE(Volume::list().empty());
}

TEST_F(SdkVolume, UsedByNamesTheSandboxesThatMountIt) {
  Volume::create("cache");
  store::Database db = open_store();
  add_sandbox_using(db, "web", {"cache"});
  add_sandbox_using(db, "api", {"cache", "other"});
  EXPECT_EQ(Volume::get("cache").used_by(), (std::vector<std::string>{"api", "web"}));
  std::vector<VolumeInfo> listed = Volume::list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].used_by, (std::vector<std::string>{"api", "web"}));
}

TEST_F(SdkVolume, RemoveIsRefusedWhileUsedAndForcedOnlyWhenNoneRuns) {
  Volume cache = Volume::create("cache");
  store::Database db = open_store();
  int64_t web = add_sandbox_using(db, "web", {"cache"});
  microsandbox::Error used = error_of([] { Volume::remove("cache"); });
  EXPECT_EQ(used.kind(), ErrorKind::kStillRunning);
  EXPECT_STREQ(used.what(),
               "volume cache is used by sandbox(es) web: remove them first or use --force");
  // This test process stands in for web's live supervisor.
  ASSERT_TRUE(store::begin_run(db, web, ::getpid(), 0).has_value());
  microsandbox::Error running = error_of([] { Volume::remove("cache", true); });
  EXPECT_EQ(running.kind(), ErrorKind::kStillRunning);
  EXPECT_STREQ(running.what(), "volume cache is used by running sandbox(es) web: stop them first");
  EXPECT_TRUE(os::is_directory(cache.path()));
  ASSERT_TRUE(store::set_sandbox_status(db, web, store::SandboxStatus::kStopped).has_value());
  ASSERT_TRUE(db.exec("UPDATE run SET status = 'terminated', termination_reason = 'completed', "
                      "terminated_at = 1")
                  .has_value());
  Volume::remove("cache", true);
  EXPECT_FALSE(os::path_exists(cache.path()));
  EXPECT_TRUE(Volume::list().empty());
}

}  // namespace
}  // namespace msb::testing
