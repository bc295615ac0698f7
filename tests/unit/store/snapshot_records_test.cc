#include "store/snapshot_records.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "store/image_records.h"
#include "store_test_util.h"

namespace msb::store {
namespace {

using SnapshotRecords = StoreTest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string digest(char fill) { return "sha256:" + std::string(64, fill); }

SnapshotRecord snapshot(std::string name, std::string manifest = "") {
  return SnapshotRecord{.name = std::move(name),
                        .source_sandbox = "builder",
                        .path = "/home/snapshots/x",
                        .engine = "vm",
                        .image_reference = manifest.empty() ? "base" : "r/x:1",
                        .manifest_digest = std::move(manifest),
                        .artifact = "upper.ext4",
                        .content_digest = "msb-sparse-sha256-v1:" + std::string(64, 'f'),
                        .size_bytes = 4ULL << 30};
}

TEST_F(SnapshotRecords, InsertedSnapshotsAreFoundListedAndDeleted) {
  Database db = open_db();
  SnapshotRecord stored = insert_snapshot(db, snapshot("b")).value();
  EXPECT_GT(stored.id, 0);
  EXPECT_GT(stored.created_at_ns, 0);
  ASSERT_TRUE(insert_snapshot(db, snapshot("a")));
  SnapshotRecord found = get_snapshot(db, "b").value();
  EXPECT_EQ(found, stored);
  std::vector<SnapshotRecord> all = list_snapshots(db).value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "a");
  ASSERT_TRUE(delete_snapshot(db, "a"));
  EXPECT_FALSE(find_snapshot(db, "a").value());
  Result<void> again = delete_snapshot(db, "a");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::kNotFound);
}

TEST_F(SnapshotRecords, ANameIsTakenOnce) {
  Database db = open_db();
  ASSERT_TRUE(insert_snapshot(db, snapshot("s")));
  Result<SnapshotRecord> second = insert_snapshot(db, snapshot("s"));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, ErrorKind::kAlreadyExists);
  EXPECT_EQ(second.error().message, "snapshot 's' already exists");
}

TEST_F(SnapshotRecords, AnUnknownSnapshotIsNotFound) {
  Database db = open_db();
  Result<SnapshotRecord> missing = get_snapshot(db, "none");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(missing.error().message, "snapshot 'none' not found");
}

TEST_F(SnapshotRecords, AnImageASnapshotUsesIsNeitherRemovedNorPruned) {
  Database db = open_db();
  NewImage image{.reference = "r/x:1",
                 .manifest_digest = digest('a'),
                 .media_type = "application/vnd.oci.image.manifest.v1+json",
                 .size = 10,
                 .manifest_json = "{}",
                 .config_digest = digest('b'),
                 .config_json = "{}"};
  ASSERT_TRUE(record_image(db, image));
  ASSERT_TRUE(insert_snapshot(db, snapshot("s", digest('a'))));
  EXPECT_THAT(snapshots_using_manifest(db, digest('a')).value(), ElementsAre("s"));
  Result<RemovedImage> removed = remove_image(db, "r/x:1", false);
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().kind, ErrorKind::kImageInUse);
  EXPECT_THAT(removed.error().message, HasSubstr("snapshot(s) s"));
  EXPECT_THAT(prune_images(db, PruneScope::kUnused).value().manifests, IsEmpty());
  EXPECT_TRUE(find_image_by_reference(db, "r/x:1").value());
  // Forced: the reference goes, the manifest stays for the snapshot.
  ASSERT_TRUE(remove_image(db, "r/x:1", true));
  EXPECT_THAT(prune_images(db).value().manifests, IsEmpty());
  EXPECT_TRUE(find_image_by_manifest(db, digest('a')).value());
  ASSERT_TRUE(delete_snapshot(db, "s"));
  EXPECT_THAT(prune_images(db).value().manifests, ElementsAre(digest('a')));
}

}  // namespace
}  // namespace msb::store
