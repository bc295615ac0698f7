#include "store/volume_records.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "os/clock.h"
#include "store_test_util.h"

namespace msb::store {
namespace {

using VolumeRecords = StoreTest;

NewVolume dir_volume(const std::string& name, std::map<std::string, std::string> labels = {}) {
  return NewVolume{.name = name, .path = "/home/u/.microsandbox/volumes/" + name, .labels = labels};
}

std::vector<std::string> names_of(const Result<std::vector<VolumeRecord>>& records) {
  EXPECT_TRUE(records.has_value()) << records.error().message;
  std::vector<std::string> names;
  for (const VolumeRecord& record : records.value_or(std::vector<VolumeRecord>{}))
    names.push_back(record.name);
  return names;
}

TEST(VolumeKind, NamesAreTheStoredSpellingsAndParseBack) {
  EXPECT_EQ(volume_kind_name(VolumeKind::kDir), "dir");
  EXPECT_EQ(volume_kind_name(VolumeKind::kDisk), "disk");
  EXPECT_EQ(parse_volume_kind("dir").value(), VolumeKind::kDir);
  EXPECT_EQ(parse_volume_kind("disk").value(), VolumeKind::kDisk);
}

TEST(VolumeKind, ParseRejectsUnknownNames) {
  for (std::string_view name : {"", "Dir", "directory", "disk "}) {
    Result<VolumeKind> kind = parse_volume_kind(name);
    ASSERT_FALSE(kind.has_value()) << name;
    EXPECT_EQ(kind.error().kind, ErrorKind::kInvalidArgument);
  }
  EXPECT_EQ(parse_volume_kind("nfs").error().message,
            "unknown volume kind 'nfs' (expected dir or disk)");
}

TEST_F(VolumeRecords, InsertStoresEveryFieldAndTheLabels) {
  Database db = open_db();
  int64_t before = static_cast<int64_t>(os::realtime_ns());
  NewVolume wanted{.name = "cache",
                   .kind = VolumeKind::kDisk,
                   .path = "/v/cache",
                   .quota_mib = 64,
                   .size_bytes = 1 << 20,
                   .labels = {{"team", "x"}, {"env", "dev"}}};
  VolumeRecord record = insert_volume(db, wanted).value();
  int64_t after = static_cast<int64_t>(os::realtime_ns());
  EXPECT_GT(record.id, 0);
  EXPECT_GE(record.created_at_ns, before);
  EXPECT_LE(record.created_at_ns, after);
  EXPECT_EQ(record.name, "cache");
  EXPECT_EQ(record.kind, VolumeKind::kDisk);
  EXPECT_EQ(record.path, "/v/cache");
  EXPECT_EQ(record.quota_mib, 64u);
  EXPECT_EQ(record.size_bytes, 1u << 20);
  EXPECT_EQ(record.labels, (std::map<std::string, std::string>{{"env", "dev"}, {"team", "x"}}));
  EXPECT_EQ(get_volume(db, "cache").value(), record);
  EXPECT_EQ(find_volume(db, "cache").value(), record);
}

TEST_F(VolumeRecords, ATakenNameIsAlreadyExistsAndKeepsTheFirst) {
  Database db = open_db();
  VolumeRecord first = insert_volume(db, dir_volume("cache", {{"a", "1"}})).value();
  Result<VolumeRecord> second = insert_volume(db, dir_volume("cache", {{"b", "2"}}));
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().kind, ErrorKind::kAlreadyExists);
  EXPECT_EQ(second.error().message, "volume 'cache' already exists");
  EXPECT_EQ(get_volume(db, "cache").value(), first);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM volume_label"), 1);
}

TEST_F(VolumeRecords, GetOfAMissingVolumeIsNotFoundAndFindIsEmpty) {
  Database db = open_db();
  Result<VolumeRecord> missing = get_volume(db, "nope");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(missing.error().message, "volume 'nope' not found");
  EXPECT_FALSE(find_volume(db, "nope").value().has_value());
}

TEST_F(VolumeRecords, ListIsByNameWithEachVolumesLabels) {
  Database db = open_db();
  ASSERT_TRUE(insert_volume(db, dir_volume("zeta", {{"k", "z"}})).has_value());
  ASSERT_TRUE(insert_volume(db, dir_volume("alpha")).has_value());
  ASSERT_TRUE(insert_volume(db, dir_volume("mid", {{"k", "m"}, {"x", "y"}})).has_value());
  Result<std::vector<VolumeRecord>> volumes = list_volumes(db);
  EXPECT_EQ(names_of(volumes), (std::vector<std::string>{"alpha", "mid", "zeta"}));
  EXPECT_TRUE(volumes->at(0).labels.empty());
  EXPECT_EQ(volumes->at(1).labels.size(), 2u);
  EXPECT_EQ(volumes->at(2).labels, (std::map<std::string, std::string>{{"k", "z"}}));
}

TEST_F(VolumeRecords, ListOfAnEmptyStoreIsEmpty) {
  Database db = open_db();
  EXPECT_TRUE(names_of(list_volumes(db)).empty());
}

TEST_F(VolumeRecords, DeleteRemovesTheVolumeAndItsLabels) {
  Database db = open_db();
  ASSERT_TRUE(insert_volume(db, dir_volume("cache", {{"a", "1"}, {"b", "2"}})).has_value());
  ASSERT_TRUE(insert_volume(db, dir_volume("keep", {{"c", "3"}})).has_value());
  ASSERT_TRUE(delete_volume(db, "cache").has_value());
  EXPECT_FALSE(find_volume(db, "cache").value().has_value());
  EXPECT_EQ(names_of(list_volumes(db)), std::vector<std::string>{"keep"});
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM volume_label"), 1);
}

TEST_F(VolumeRecords, DeleteOfAMissingVolumeIsNotFound) {
  Database db = open_db();
  Result<void> removed = delete_volume(db, "nope");
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(removed.error().message, "volume 'nope' not found");
}

TEST_F(VolumeRecords, ANameCanBeUsedAgainAfterDelete) {
  Database db = open_db();
  ASSERT_TRUE(insert_volume(db, dir_volume("cache", {{"old", "1"}})).has_value());
  ASSERT_TRUE(delete_volume(db, "cache").has_value());
  ASSERT_TRUE(insert_volume(db, dir_volume("cache")).has_value());
  // The labels of the deleted volume went with it, even if SQLite reuses its rowid.
  EXPECT_TRUE(get_volume(db, "cache").value().labels.empty());
}

TEST_F(VolumeRecords, SizesBeyondTheStoredRangeAreRefused) {
  Database db = open_db();
  NewVolume huge = dir_volume("huge");
  huge.size_bytes = std::numeric_limits<uint64_t>::max();
  Result<VolumeRecord> inserted = insert_volume(db, huge);
  ASSERT_FALSE(inserted.has_value());
  EXPECT_EQ(inserted.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_FALSE(find_volume(db, "huge").value().has_value());
}

TEST_F(VolumeRecords, TheTableRefusesAnUnknownKindOrNegativeSizes) {
  Database db = open_db();
  EXPECT_FALSE(
      db.exec("INSERT INTO volume (name, path, created_at, kind) VALUES ('x', '/x', 1, 'nfs')")
          .has_value());
  EXPECT_FALSE(
      db.exec("INSERT INTO volume (name, path, created_at, quota_mib) VALUES ('x', '/x', 1, -1)")
          .has_value());
  EXPECT_FALSE(
      db.exec("INSERT INTO volume (name, path, created_at, size_bytes) VALUES ('x', '/x', 1, -1)")
          .has_value());
}

}  // namespace
}  // namespace msb::store
