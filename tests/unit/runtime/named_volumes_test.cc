#include "runtime/named_volumes.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "os/file.h"
#include "os/file_status.h"
#include "os/fs_calls.h"
#include "store/run_records.h"
#include "store/sandbox_records.h"
#include "stored_mounts.h"

namespace msb::runtime {
namespace {

using store::VolumeKind;
using store::VolumeRecord;

class NamedVolumes : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-volumes-test-");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    home_.emplace(std::move(*dir));
    Result<store::Database> db = store::Database::open(home() + "/db/msb.db");
    ASSERT_TRUE(db.has_value()) << db.error().message;
    db_.emplace(std::move(*db));
  }
  const std::string& home() const { return home_->path(); }
  store::Database& db() { return *db_; }
  std::string dir_of(const std::string& name) const { return home() + "/volumes/" + name; }

  Result<VolumeRecord> create(NewNamedVolume volume) {
    return create_named_volume(db(), home(), volume);
  }

  int64_t add_sandbox(const std::string& name, const std::vector<std::string>& volumes) {
    return testing::add_sandbox_using(db(), name, volumes);
  }

  std::optional<os::TempDir> home_;
  std::optional<store::Database> db_;
};

uint32_t mode_of(const std::string& path) {
  Result<os::FileStatus> status = os::lstat_path(path);
  EXPECT_TRUE(status.has_value()) << status.error().message;
  return status ? status->mode : 0;
}

TEST_F(NamedVolumes, CreateMakesTheDirectoryAndTheRecordTogether) {
  VolumeRecord record = create({.name = "cache", .labels = {{"team", "x"}}}).value();
  EXPECT_EQ(record.name, "cache");
  EXPECT_EQ(record.kind, VolumeKind::kDir);
  EXPECT_EQ(record.path, dir_of("cache"));
  EXPECT_EQ(record.labels, (std::map<std::string, std::string>{{"team", "x"}}));
  EXPECT_EQ(store::get_volume(db(), "cache").value(), record);
  uint32_t mode = mode_of(dir_of("cache"));
  EXPECT_TRUE(S_ISDIR(mode));
  EXPECT_EQ(mode & 07777, 0755u);
  EXPECT_EQ(os::lstat_path(dir_of("cache"))->uid, ::getuid());
}

TEST_F(NamedVolumes, TheDirectoryIs0755WhateverTheUmask) {
  mode_t old = ::umask(077);
  Result<VolumeRecord> record = create({.name = "cache"});
  ::umask(old);
  ASSERT_TRUE(record.has_value()) << record.error().message;
  EXPECT_EQ(mode_of(dir_of("cache")) & 07777, 0755u);
}

TEST_F(NamedVolumes, NamesFollowTheSandboxNameRulesWithVolumeInTheMessage) {
  for (const std::string& bad : {std::string(), std::string(".hidden"), std::string("a/b"),
                                 std::string(".."), std::string("a b"), std::string(129, 'a')}) {
    Result<VolumeRecord> record = create({.name = bad});
    ASSERT_FALSE(record.has_value()) << bad;
    EXPECT_EQ(record.error().kind, ErrorKind::kInvalidConfig) << bad;
    EXPECT_TRUE(record.error().message.starts_with("invalid config: volume name must"))
        << record.error().message;
  }
  EXPECT_TRUE(create({.name = std::string(128, 'a')}).has_value());
  EXPECT_TRUE(create({.name = "A1.b_c-d"}).has_value());
  EXPECT_TRUE(os::list_dir(home() + "/volumes").size() == 2);
}

TEST_F(NamedVolumes, LabelsAreCheckedAsSandboxLabels) {
  Result<VolumeRecord> record = create({.name = "cache", .labels = {{"sandbox.x", "1"}}});
  ASSERT_FALSE(record.has_value());
  EXPECT_EQ(record.error().kind, ErrorKind::kInvalidConfig);
  EXPECT_FALSE(os::path_exists(dir_of("cache")));
}

TEST_F(NamedVolumes, ADiskVolumeIsAnExt4ImageOfItsSize) {
  Result<VolumeRecord> record =
      create({.name = "disk", .kind = VolumeKind::kDisk, .size_bytes = 32 << 20});
  ASSERT_TRUE(record.has_value()) << record.error().message;
  EXPECT_EQ(record->kind, VolumeKind::kDisk);
  EXPECT_EQ(record->size_bytes, 32u << 20);
  std::string image = dir_of("disk") + "/" + kVolumeDiskFile;
  EXPECT_EQ(os::lstat_path(image).value().size, 32u << 20);
  // The ext4 magic (0xEF53) at byte 56 of the superblock.
  std::string head = os::read_file(image).value().substr(1024 + 56, 2);
  EXPECT_EQ(head, "\x53\xef");
  NamedVolumeSource source = ensure_named_volume(db(), home(), "disk").value();
  EXPECT_TRUE(source.disk);
  EXPECT_EQ(source.path, image);
}

TEST_F(NamedVolumes, ADiskVolumeNeedsASize) {
  for (uint64_t size : {uint64_t{0}, uint64_t{1} << 20, uint64_t{32} << 40}) {
    Result<VolumeRecord> record =
        create({.name = "disk", .kind = VolumeKind::kDisk, .size_bytes = size});
    ASSERT_FALSE(record.has_value()) << size;
    EXPECT_EQ(record.error().kind, ErrorKind::kInvalidConfig);
    EXPECT_NE(record.error().message.find("a disk volume needs a size from 16 MiB to 16 TiB"),
              std::string::npos);
  }
  EXPECT_FALSE(os::path_exists(dir_of("disk")));
  EXPECT_FALSE(store::find_volume(db(), "disk").value().has_value());
}

TEST_F(NamedVolumes, QuotasAreRefusedAsUnsupported) {
  Result<VolumeRecord> record = create({.name = "cache", .quota_mib = 100});
  ASSERT_FALSE(record.has_value());
  EXPECT_EQ(record.error().kind, ErrorKind::kUnsupported);
  EXPECT_EQ(record.error().message.rfind("volume quotas are not supported yet", 0), 0u);
  EXPECT_FALSE(os::path_exists(dir_of("cache")));
}

TEST_F(NamedVolumes, ASizeOnADirVolumeIsAnInvalidConfig) {
  Result<VolumeRecord> record = create({.name = "cache", .size_bytes = 1 << 20});
  ASSERT_FALSE(record.has_value());
  EXPECT_EQ(record.error().kind, ErrorKind::kInvalidConfig);
  EXPECT_EQ(record.error().message,
            "invalid config: volume size applies only to disk volumes: a dir volume grows as its "
            "files do");
  EXPECT_FALSE(os::path_exists(dir_of("cache")));
}

TEST_F(NamedVolumes, ATakenNameIsAlreadyExistsAndTheDataStays) {
  ASSERT_TRUE(create({.name = "cache"}).has_value());
  ASSERT_TRUE(os::write_file(dir_of("cache") + "/f", "data").has_value());
  Result<VolumeRecord> again = create({.name = "cache"});
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().kind, ErrorKind::kAlreadyExists);
  EXPECT_EQ(again.error().message, "volume 'cache' already exists");
  EXPECT_EQ(os::read_file(dir_of("cache") + "/f").value(), "data");
}

TEST_F(NamedVolumes, AnEmptyDirectoryWithoutARecordIsAdopted) {
  ASSERT_TRUE(os::make_dirs(dir_of("cache")).has_value());
  ASSERT_TRUE(::chmod(dir_of("cache").c_str(), 0700) == 0);
  VolumeRecord record = create({.name = "cache"}).value();
  EXPECT_EQ(record.path, dir_of("cache"));
  EXPECT_EQ(mode_of(dir_of("cache")) & 07777, 0755u);
}

TEST_F(NamedVolumes, AnythingElseWithoutARecordIsRefusedAndLeftAlone) {
  ASSERT_TRUE(os::make_dirs(dir_of("full")).has_value());
  ASSERT_TRUE(os::write_file(dir_of("full") + "/.keep", "mine").has_value());
  ASSERT_TRUE(os::write_file(dir_of("file"), "x").has_value());
  ASSERT_TRUE(os::make_dirs(home() + "/elsewhere").has_value());
  ASSERT_TRUE(os::symlink_at(home() + "/elsewhere", AT_FDCWD, dir_of("link")).has_value());
  for (const std::string name : {"full", "file", "link"}) {
    Result<VolumeRecord> record = create({.name = name});
    ASSERT_FALSE(record.has_value()) << name;
    EXPECT_EQ(record.error().kind, ErrorKind::kAlreadyExists) << name;
    EXPECT_EQ(record.error().message,
              fmt::format("volume '{}': {} already exists and is not an empty directory without "
                          "a volume record; move it away, then create the volume again",
                          name, dir_of(name)));
    EXPECT_FALSE(store::find_volume(db(), name).value().has_value());
  }
  EXPECT_EQ(os::read_file(dir_of("full") + "/.keep").value(), "mine");
  EXPECT_EQ(os::read_file(dir_of("file")).value(), "x");
  EXPECT_TRUE(os::path_exists(dir_of("link")));
}

TEST_F(NamedVolumes, AFailedInsertRemovesTheNewDirectory) {
  ASSERT_TRUE(db().exec("CREATE TRIGGER refuse BEFORE INSERT ON volume "
                        "BEGIN SELECT RAISE(ABORT, 'injected'); END")
                  .has_value());
  Result<VolumeRecord> record = create({.name = "cache"});
  ASSERT_FALSE(record.has_value());
  EXPECT_FALSE(os::path_exists(dir_of("cache")));
}

TEST_F(NamedVolumes, EnsureCreatesADirVolumeOnFirstUseAndReusesIt) {
  std::string dir = ensure_named_volume(db(), home(), "cache").value().path;
  EXPECT_EQ(dir, dir_of("cache"));
  VolumeRecord record = store::get_volume(db(), "cache").value();
  EXPECT_EQ(record.kind, VolumeKind::kDir);
  EXPECT_TRUE(record.labels.empty());
  ASSERT_TRUE(os::write_file(dir + "/f", "kept").has_value());
  EXPECT_EQ(ensure_named_volume(db(), home(), "cache").value().path, dir);
  EXPECT_EQ(store::get_volume(db(), "cache").value(), record);
  EXPECT_EQ(os::read_file(dir + "/f").value(), "kept");
}

TEST_F(NamedVolumes, EnsureValidatesTheName) {
  Result<NamedVolumeSource> dir = ensure_named_volume(db(), home(), "../etc");
  ASSERT_FALSE(dir.has_value());
  EXPECT_EQ(dir.error().kind, ErrorKind::kInvalidConfig);
  EXPECT_FALSE(os::path_exists(home() + "/etc"));
}

TEST_F(NamedVolumes, EnsureGivesARecordedVolumeANewDirectoryWhenItsWentAway) {
  ASSERT_TRUE(create({.name = "cache"}).has_value());
  ASSERT_TRUE(os::remove_tree(dir_of("cache")).has_value());
  EXPECT_EQ(ensure_named_volume(db(), home(), "cache").value().path, dir_of("cache"));
  EXPECT_EQ(mode_of(dir_of("cache")) & 07777, 0755u);
}

TEST_F(NamedVolumes, EnsureRefusesARecordedVolumeWhosePathIsNotADirectory) {
  ASSERT_TRUE(create({.name = "cache"}).has_value());
  ASSERT_TRUE(os::remove_tree(dir_of("cache")).has_value());
  ASSERT_TRUE(os::write_file(dir_of("cache"), "x").has_value());
  Result<NamedVolumeSource> dir = ensure_named_volume(db(), home(), "cache");
  ASSERT_FALSE(dir.has_value());
  EXPECT_EQ(dir.error().message,
            fmt::format("volume 'cache': {} is not a directory", dir_of("cache")));
}

TEST_F(NamedVolumes, EnsureRefusesADiskVolumeWhoseImageIsGone) {
  ASSERT_TRUE(store::insert_volume(db(), {.name = "d", .kind = VolumeKind::kDisk, .path = "/x"})
                  .has_value());
  Result<NamedVolumeSource> dir = ensure_named_volume(db(), home(), "d");
  ASSERT_FALSE(dir.has_value());
  EXPECT_EQ(dir.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(dir.error().message.find("its disk image"), std::string::npos);
}

TEST_F(NamedVolumes, ConcurrentEnsuresOfOneNewVolumeMakeOneVolume) {
  constexpr int kThreads = 8;
  std::vector<std::string> dirs(kThreads);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      Result<store::Database> db = store::Database::open(home() + "/db/msb.db");
      if (!db) {
        errors[i] = db.error().message;
        return;
      }
      Result<NamedVolumeSource> dir = ensure_named_volume(*db, home(), "shared");
      if (dir)
        dirs[i] = dir->path;
      else
        errors[i] = dir.error().message;
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(errors[i], "");
    EXPECT_EQ(dirs[i], dir_of("shared"));
  }
  EXPECT_EQ(store::list_volumes(db()).value().size(), 1u);
}

TEST_F(NamedVolumes, UsersAreTheSandboxesWhoseConfigMountsTheVolume) {
  add_sandbox("web", {"cache", "cache"});
  add_sandbox("api", {"other", "cache"});
  add_sandbox("lone", {});
  add_sandbox("other-only", {"other"});
  EXPECT_EQ(volume_users(db(), "cache").value(), (std::vector<std::string>{"api", "web"}));
  EXPECT_EQ(volume_users(db(), "other").value(), (std::vector<std::string>{"api", "other-only"}));
  EXPECT_TRUE(volume_users(db(), "unused").value().empty());
}

TEST_F(NamedVolumes, BindMountsAndUnparsableConfigsAreNoUse) {
  ASSERT_TRUE(
      store::insert_sandbox(db(), {.name = "bind",
                                   .config_json = R"({"mounts":[{"kind":"bind","source":"cache",)"
                                                  R"("target":"/d"}]})"})
          .has_value());
  ASSERT_TRUE(
      store::insert_sandbox(db(), {.name = "broken", .config_json = "{not json"}).has_value());
  EXPECT_TRUE(volume_users(db(), "cache").value().empty());
}

TEST_F(NamedVolumes, RemoveDeletesTheDirectoryAndTheRecord) {
  ASSERT_TRUE(create({.name = "cache", .labels = {{"a", "b"}}}).has_value());
  ASSERT_TRUE(os::make_dirs(dir_of("cache") + "/deep/er").has_value());
  ASSERT_TRUE(os::write_file(dir_of("cache") + "/deep/er/f", "x").has_value());
  ASSERT_TRUE(remove_named_volume(db(), home(), "cache", false).has_value());
  EXPECT_FALSE(os::path_exists(dir_of("cache")));
  EXPECT_FALSE(store::find_volume(db(), "cache").value().has_value());
}

TEST_F(NamedVolumes, RemoveNeverFollowsASymlinkOutOfTheVolume) {
  ASSERT_TRUE(create({.name = "cache"}).has_value());
  std::string outside = home() + "/outside";
  ASSERT_TRUE(os::make_dirs(outside).has_value());
  ASSERT_TRUE(os::write_file(outside + "/precious", "keep").has_value());
  ASSERT_TRUE(os::symlink_at(outside, AT_FDCWD, dir_of("cache") + "/link").has_value());
  ASSERT_TRUE(
      os::symlink_at(outside + "/precious", AT_FDCWD, dir_of("cache") + "/file-link").has_value());
  ASSERT_TRUE(remove_named_volume(db(), home(), "cache", false).has_value());
  EXPECT_FALSE(os::path_exists(dir_of("cache")));
  EXPECT_EQ(os::read_file(outside + "/precious").value(), "keep");
}

TEST_F(NamedVolumes, RemoveOfAMissingVolumeIsNotFound) {
  Result<void> removed = remove_named_volume(db(), home(), "nope", false);
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(removed.error().message, "volume 'nope' not found");
}

TEST_F(NamedVolumes, RemoveOfARecordWhoseDirectoryWentAwayStillRemovesTheRecord) {
  ASSERT_TRUE(create({.name = "cache"}).has_value());
  ASSERT_TRUE(os::remove_tree(dir_of("cache")).has_value());
  ASSERT_TRUE(remove_named_volume(db(), home(), "cache", false).has_value());
  EXPECT_FALSE(store::find_volume(db(), "cache").value().has_value());
}

TEST_F(NamedVolumes, RemoveIsRefusedWhileASandboxUsesTheVolume) {
  ASSERT_TRUE(create({.name = "cache"}).has_value());
  add_sandbox("web", {"cache"});
  add_sandbox("api", {"cache"});
  Result<void> removed = remove_named_volume(db(), home(), "cache", false);
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().kind, ErrorKind::kStillRunning);
  EXPECT_EQ(removed.error().message,
            "volume cache is used by sandbox(es) api, web: remove them first or use --force");
  EXPECT_TRUE(os::is_directory(dir_of("cache")));
  EXPECT_TRUE(store::find_volume(db(), "cache").value().has_value());
}

TEST_F(NamedVolumes, ForceRemovesAVolumeOfStoppedSandboxes) {
  ASSERT_TRUE(create({.name = "cache"}).has_value());
  int64_t web = add_sandbox("web", {"cache"});
  ASSERT_TRUE(store::set_sandbox_status(db(), web, store::SandboxStatus::kStopped).has_value());
  add_sandbox("fresh", {"cache"});  // created, never started
  ASSERT_TRUE(remove_named_volume(db(), home(), "cache", true).has_value());
  EXPECT_FALSE(os::path_exists(dir_of("cache")));
  EXPECT_FALSE(store::find_volume(db(), "cache").value().has_value());
  // The sandboxes keep their configs; their next start makes the volume again.
  EXPECT_EQ(volume_users(db(), "cache").value(), (std::vector<std::string>{"fresh", "web"}));
}

TEST_F(NamedVolumes, ForceIsStillRefusedWhileAUserRuns) {
  ASSERT_TRUE(create({.name = "cache"}).has_value());
  add_sandbox("idle", {"cache"});
  int64_t web = add_sandbox("web", {"cache"});
  // This test process stands in for the live supervisor.
  ASSERT_TRUE(store::begin_run(db(), web, ::getpid(), 0).has_value());
  Result<void> removed = remove_named_volume(db(), home(), "cache", true);
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().kind, ErrorKind::kStillRunning);
  EXPECT_EQ(removed.error().message,
            "volume cache is used by running sandbox(es) web: stop them first");
  EXPECT_TRUE(os::is_directory(dir_of("cache")));
}

TEST_F(NamedVolumes, ForceRemovesWhenTheRunningUsersSupervisorDied) {
  ASSERT_TRUE(create({.name = "cache"}).has_value());
  int64_t web = add_sandbox("web", {"cache"});
  // A pid that cannot be a live process: reconciling marks the sandbox crashed.
  ASSERT_TRUE(store::begin_run(db(), web, 0x3fffffff, 0).has_value());
  ASSERT_TRUE(remove_named_volume(db(), home(), "cache", true).has_value());
  EXPECT_EQ(store::find_sandbox(db(), "web").value()->status, store::SandboxStatus::kCrashed);
}

}  // namespace
}  // namespace msb::runtime
