#include "store/image_records.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store_test_util.h"

namespace msb::store {
namespace {

using ImageRecords = StoreTest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string digest(char fill) { return "sha256:" + std::string(64, fill); }

// An image with manifest digest(m), config digest(c) and layers digest(l) for each l.
NewImage image(std::string reference, char m, char c, const std::string& layers) {
  NewImage image{.reference = std::move(reference),
                 .manifest_digest = digest(m),
                 .media_type = "application/vnd.oci.image.manifest.v1+json",
                 .size = 500,
                 .manifest_json = "{\"m\":\"" + std::string(1, m) + "\"}",
                 .config_digest = digest(c),
                 .config_json = "{\"c\":1}"};
  for (char l : layers) {
    image.layers.push_back(LayerRecord{.digest = digest(l),
                                       .diff_id = digest(static_cast<char>(l + 1)),
                                       .media_type = "application/vnd.oci.image.layer.v1.tar+gzip",
                                       .size = 1000});
  }
  return image;
}

void record(Database& db, const NewImage& new_image) {
  Result<void> stored = record_image(db, new_image);
  ASSERT_TRUE(stored.has_value()) << stored.error().message;
}

TEST_F(ImageRecords, RecordedImageIsFoundByReferenceAndDigestWithOrderedLayers) {
  Database db = open_db();
  record(db, image("docker.io/library/busybox:latest", 'a', 'b', "ce0"));
  std::optional<ImageRecord> found =
      find_image_by_reference(db, "docker.io/library/busybox:latest").value();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->manifest_digest, digest('a'));
  EXPECT_EQ(found->config_digest, digest('b'));
  EXPECT_EQ(found->config_json, "{\"c\":1}");
  ASSERT_EQ(found->layers.size(), 3u);
  EXPECT_EQ(found->layers[0].digest, digest('c'));
  EXPECT_EQ(found->layers[2].digest, digest('0'));
  EXPECT_EQ(found->layers[0].unpacked_path, "");
  EXPECT_THAT(found->references, ElementsAre("docker.io/library/busybox:latest"));
  EXPECT_TRUE(find_image_by_manifest(db, digest('a')).value());
  EXPECT_FALSE(find_image_by_reference(db, "docker.io/library/other:latest").value());
}

TEST_F(ImageRecords, RetagMovesTheReferenceAndKeepsTheOldManifest) {
  Database db = open_db();
  record(db, image("r/x:1", 'a', 'b', "c"));
  record(db, image("r/x:1", 'd', 'b', "ce"));
  EXPECT_EQ(find_image_by_reference(db, "r/x:1").value()->manifest_digest, digest('d'));
  std::optional<ImageRecord> old = find_image_by_manifest(db, digest('a')).value();
  ASSERT_TRUE(old);
  EXPECT_THAT(old->references, IsEmpty());
  EXPECT_EQ(list_images(db).value().size(), 2u);
}

TEST_F(ImageRecords, UnpackedPathIsKeptWhenAnotherImageSharesTheLayer) {
  Database db = open_db();
  record(db, image("r/x:1", 'a', 'b', "c"));
  ASSERT_TRUE(set_layer_unpacked(db, digest('c'), "/cache/layers/c").has_value());
  record(db, image("r/y:1", 'd', 'b', "c"));
  EXPECT_EQ(find_image_by_reference(db, "r/y:1").value()->layers[0].unpacked_path,
            "/cache/layers/c");
  EXPECT_EQ(set_layer_unpacked(db, digest('9'), "/x").error().kind, ErrorKind::kNotFound);
}

TEST_F(ImageRecords, PinnedImageCannotBeRemovedWithoutForce) {
  Database db = open_db();
  record(db, image("r/x:1", 'a', 'b', "c"));
  int64_t sandbox = insert_sandbox(db, "job");
  ASSERT_TRUE(pin_sandbox_rootfs(db, sandbox, {.manifest_digest = digest('a')}).has_value());
  EXPECT_EQ(sandbox_rootfs_manifest(db, sandbox).value(), digest('a'));
  Result<RemovedImage> refused = remove_image(db, "r/x:1", false);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kImageInUse);
  EXPECT_THAT(refused.error().message, HasSubstr("job"));
  EXPECT_TRUE(find_image_by_reference(db, "r/x:1").value());

  Result<RemovedImage> forced = remove_image(db, "r/x:1", true);
  ASSERT_TRUE(forced) << forced.error().message;
  EXPECT_THAT(forced->references, ElementsAre("r/x:1"));
  EXPECT_FALSE(find_image_by_reference(db, "r/x:1").value());
  // The pinned manifest survives a prune until its sandbox goes.
  EXPECT_THAT(prune_images(db).value().manifests, IsEmpty());
  EXPECT_TRUE(find_image_by_manifest(db, digest('a')).value());
}

TEST_F(ImageRecords, PinRecordsModeAndUpperFilesystemAndPinningAgainReplacesIt) {
  Database db = open_db();
  record(db, image("r/x:1", 'a', 'b', "c"));
  record(db, image("r/y:1", 'd', 'b', "c"));
  int64_t sandbox = insert_sandbox(db, "job");
  RootfsPin vm{.manifest_digest = digest('a'), .mode = "erofs", .upper_fstype = "ext4"};
  ASSERT_TRUE(pin_sandbox_rootfs(db, sandbox, vm).has_value());
  EXPECT_EQ(sandbox_rootfs_pin(db, sandbox).value(), vm);

  RootfsPin namespaced{.manifest_digest = digest('d'), .mode = "layers"};
  ASSERT_TRUE(pin_sandbox_rootfs(db, sandbox, namespaced).has_value());
  EXPECT_EQ(sandbox_rootfs_pin(db, sandbox).value(), namespaced);
  EXPECT_EQ(sandbox_rootfs_manifest(db, sandbox).value(), digest('d'));
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM sandbox_rootfs"), 1);
  EXPECT_EQ(query_text(db, "SELECT ifnull(upper_fstype, 'NULL') FROM sandbox_rootfs"), "NULL");
  // The old manifest is no longer pinned: a prune may take it.
  EXPECT_THAT(sandboxes_using_manifest(db, digest('a')).value(), IsEmpty());
  EXPECT_THAT(sandboxes_using_manifest(db, digest('d')).value(), ElementsAre("job"));
  EXPECT_FALSE(sandbox_rootfs_pin(db, insert_sandbox(db, "unpinned")).value());
}

TEST_F(ImageRecords, PinsFromBeforeMigration3ReadAsUnknownMode) {
  Database db = open_db();
  record(db, image("r/x:1", 'a', 'b', "c"));
  int64_t sandbox = insert_sandbox(db, "old");
  // What an older msb wrote: only the two original columns.
  ASSERT_TRUE(db.exec(fmt::format("INSERT INTO sandbox_rootfs (sandbox_id, manifest_digest) "
                                  "VALUES ({}, '{}')",
                                  sandbox, digest('a')))
                  .has_value());
  EXPECT_EQ(sandbox_rootfs_pin(db, sandbox).value(), RootfsPin{.manifest_digest = digest('a')});
}

TEST_F(ImageRecords, PinOfAnUnknownManifestIsNotFound) {
  Database db = open_db();
  int64_t sandbox = insert_sandbox(db, "job");
  EXPECT_EQ(pin_sandbox_rootfs(db, sandbox, {.manifest_digest = digest('a')}).error().kind,
            ErrorKind::kNotFound);
  EXPECT_FALSE(sandbox_rootfs_manifest(db, sandbox).value());
}

TEST_F(ImageRecords, RemoveByDigestDropsEveryReference) {
  Database db = open_db();
  record(db, image("r/x:1", 'a', 'b', "c"));
  record(db, image("r/x:latest", 'a', 'b', "c"));
  Result<RemovedImage> removed = remove_image(db, digest('a'), false);
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_THAT(removed->references, ElementsAre("r/x:1", "r/x:latest"));
  EXPECT_EQ(remove_image(db, "r/x:1", false).error().kind, ErrorKind::kImageNotFound);
  EXPECT_EQ(remove_image(db, digest('f'), false).error().kind, ErrorKind::kImageNotFound);
}

TEST_F(ImageRecords, PruneRemovesUnreferencedManifestsAndTheLayersOnlyTheyUsed) {
  Database db = open_db();
  record(db, image("r/x:1", 'a', 'b', "cd"));
  record(db, image("r/y:1", 'e', 'f', "d"));
  ASSERT_TRUE(remove_image(db, "r/x:1", false).has_value());
  PrunedImages pruned = prune_images(db).value();
  EXPECT_THAT(pruned.manifests, ElementsAre(digest('a')));
  EXPECT_THAT(pruned.configs, ElementsAre(digest('b')));
  ASSERT_EQ(pruned.layers.size(), 1u);
  EXPECT_EQ(pruned.layers[0].digest, digest('c'));
  EXPECT_THAT(pruned.unused_diff_ids, ElementsAre(digest('d')));  // diff_id of layer c
  EXPECT_EQ(find_image_by_reference(db, "r/y:1").value()->layers.size(), 1u);
  EXPECT_THAT(prune_images(db).value().layers, IsEmpty());
}

TEST_F(ImageRecords, PruneKeepsAnUnpackedLayerThatAnotherBlobStillShares) {
  Database db = open_db();
  NewImage gzip = image("r/gzip:1", 'a', 'b', "c");
  NewImage zstd = image("r/zstd:1", 'e', 'f', "x");
  zstd.layers[0].diff_id = gzip.layers[0].diff_id;  // the same tar, compressed otherwise
  record(db, gzip);
  record(db, zstd);
  ASSERT_TRUE(remove_image(db, "r/gzip:1", false).has_value());
  PrunedImages first = prune_images(db).value();
  ASSERT_EQ(first.layers.size(), 1u);
  EXPECT_THAT(first.unused_diff_ids, IsEmpty());
  ASSERT_TRUE(remove_image(db, "r/zstd:1", false).has_value());
  EXPECT_THAT(prune_images(db).value().unused_diff_ids, ElementsAre(gzip.layers[0].diff_id));
}

TEST_F(ImageRecords, PruneOfUnusedImagesAlsoTakesTaggedOnesButNotPinnedOnes) {
  Database db = open_db();
  record(db, image("r/x:1", 'a', 'b', "c"));
  record(db, image("r/y:1", 'e', 'f', "d"));
  int64_t sandbox = insert_sandbox(db, "job");
  ASSERT_TRUE(pin_sandbox_rootfs(db, sandbox, {.manifest_digest = digest('e')}).has_value());
  EXPECT_THAT(prune_images(db).value().manifests, IsEmpty());
  PrunedImages pruned = prune_images(db, PruneScope::kUnused).value();
  EXPECT_THAT(pruned.manifests, ElementsAre(digest('a')));
  EXPECT_FALSE(find_image_by_reference(db, "r/x:1").value());
  EXPECT_TRUE(find_image_by_reference(db, "r/y:1").value());
}

TEST_F(ImageRecords, RemovingTheSandboxReleasesItsPin) {
  Database db = open_db();
  record(db, image("r/x:1", 'a', 'b', "c"));
  int64_t sandbox = insert_sandbox(db, "job");
  ASSERT_TRUE(pin_sandbox_rootfs(db, sandbox, {.manifest_digest = digest('a')}).has_value());
  ASSERT_TRUE(db.exec("DELETE FROM sandbox WHERE name = 'job'").has_value());
  EXPECT_THAT(sandboxes_using_manifest(db, digest('a')).value(), IsEmpty());
  EXPECT_TRUE(remove_image(db, "r/x:1", false).has_value());
  EXPECT_THAT(prune_images(db).value().manifests, ElementsAre(digest('a')));
}

}  // namespace
}  // namespace msb::store
