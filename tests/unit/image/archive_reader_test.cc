#include "image/archive_reader.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "archive_fixture.h"
#include "image/digest.h"

namespace msb::image {
namespace {

using testing::add_docker_save;
using testing::add_oci_layout;
using testing::ArchiveTestDir;
using testing::Compression;
using testing::sha256_of;
using testing::TarBuilder;
using testing::TestImage;

class ArchiveReaderTest : public ::testing::Test {
 protected:
  Result<ArchiveContents> read(const std::string& tar) {
    return read_image_archive(dir_.write("archive.tar", tar), dir_.blobs(), dir_.staging());
  }
  std::vector<std::string> cached() { return dir_.blobs().list().value(); }
  ArchiveTestDir dir_;
  TestImage image_ = TestImage::make({{"etc/hello", "hi\n"}});
};

TEST_F(ArchiveReaderTest, OciLayoutTarStoresVerifiedBlobsAndKeepsTheManifest) {
  TarBuilder tar;
  add_oci_layout(tar, {image_}, {"127.0.0.1:5000/app:1"});
  Result<ArchiveContents> contents = read(tar.build());
  ASSERT_TRUE(contents.has_value()) << contents.error().message;
  ASSERT_EQ(contents->images.size(), 1u);
  const ArchiveImage& image = contents->images[0];
  EXPECT_EQ(image.names, std::vector<std::string>{"127.0.0.1:5000/app:1"});
  EXPECT_EQ(image.manifest.digest, image_.manifest_digest);
  EXPECT_EQ(image.manifest.raw, image_.manifest);
  EXPECT_EQ(image.config.raw, image_.config);
  EXPECT_EQ(image.config.diff_ids, std::vector<std::string>{image_.diff_id});
  ASSERT_EQ(image.layer_blobs.size(), 1u);
  EXPECT_EQ(os::read_file(image.layer_blobs[0]).value(), image_.layer_blob);
  std::vector<std::string> expected = {image_.config_digest, image_.layer_digest};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(cached(), expected);
  EXPECT_EQ(contents->added_blobs.size(), 2u);
  EXPECT_TRUE(os::list_dir(dir_.staging()).empty()) << "staging files left";
}

TEST_F(ArchiveReaderTest, OciLayoutDirectoryIsCopiedAndLeftInPlace) {
  std::string layout = dir_.path() + "/layout";
  ASSERT_TRUE(os::make_dirs(layout + "/blobs/sha256").has_value());
  for (const std::string* blob : {&image_.layer_blob, &image_.config, &image_.manifest})
    dir_.write("layout/blobs/sha256/" + sha256_of(*blob).substr(7), *blob);
  dir_.write("layout/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  nlohmann::json index = {{"schemaVersion", 2},
                          {"manifests",
                           {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                             {"digest", image_.manifest_digest},
                             {"size", image_.manifest.size()},
                             {"annotations", {{"org.opencontainers.image.ref.name", "v2"}}}}}}};
  dir_.write("layout/index.json", index.dump());
  Result<ArchiveContents> contents = read_image_archive(layout, dir_.blobs(), dir_.staging());
  ASSERT_TRUE(contents.has_value()) << contents.error().message;
  EXPECT_TRUE(contents->images[0].names.empty());
  EXPECT_EQ(contents->images[0].bare_tags, std::vector<std::string>{"v2"});
  EXPECT_EQ(contents->added_blobs.size(), 2u);
  EXPECT_TRUE(os::is_regular_file(layout + "/blobs/sha256/" + image_.layer_digest.substr(7)));
}

TEST_F(ArchiveReaderTest, MultiPlatformIndexGivesTheHostPlatformsManifest) {
  TestImage foreign = TestImage::make({{"foreign", "s390x"}});
  auto entry = [](const TestImage& image, const std::string& architecture) {
    return nlohmann::json{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                          {"digest", image.manifest_digest},
                          {"size", image.manifest.size()},
                          {"platform", {{"os", "linux"}, {"architecture", architecture}}}};
  };
  std::string platforms =
      nlohmann::json{
          {"schemaVersion", 2},
          {"mediaType", "application/vnd.oci.image.index.v1+json"},
          {"manifests", {entry(foreign, "s390x"), entry(image_, host_platform().architecture)}}}
          .dump();
  nlohmann::json index = {{"schemaVersion", 2},
                          {"manifests",
                           {{{"mediaType", "application/vnd.oci.image.index.v1+json"},
                             {"digest", sha256_of(platforms)},
                             {"size", platforms.size()},
                             {"annotations", {{"io.containerd.image.name", "a.io/multi:1"}}}}}}};
  TarBuilder tar;
  tar.file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})")
      .file("index.json", index.dump())
      .file("blobs/sha256/" + sha256_of(platforms).substr(7), platforms);
  for (const TestImage* image : {&image_, &foreign}) {
    for (const std::string* blob : {&image->layer_blob, &image->config, &image->manifest})
      tar.file("blobs/sha256/" + sha256_of(*blob).substr(7), *blob);
  }
  Result<ArchiveContents> contents = read(tar.build());
  ASSERT_TRUE(contents.has_value()) << contents.error().message;
  EXPECT_EQ(contents->images[0].manifest.digest, image_.manifest_digest);
  EXPECT_EQ(contents->images[0].names, std::vector<std::string>{"a.io/multi:1"});
  EXPECT_FALSE(dir_.blobs().contains(foreign.layer_digest));
}

TEST_F(ArchiveReaderTest, DockerSaveGetsAnOciManifestWithUncompressedLayers) {
  TarBuilder tar;
  add_docker_save(tar, image_, {"busybox:latest", "example.com/x:2"});
  Result<ArchiveContents> contents = read(tar.build());
  ASSERT_TRUE(contents.has_value()) << contents.error().message;
  const ArchiveImage& image = contents->images[0];
  EXPECT_EQ(image.names, (std::vector<std::string>{"busybox:latest", "example.com/x:2"}));
  EXPECT_EQ(image.manifest.digest, sha256_of(image.manifest.raw));
  EXPECT_EQ(image.manifest.media_type, "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(image.manifest.config.digest, image_.config_digest);
  ASSERT_EQ(image.manifest.layers.size(), 1u);
  EXPECT_EQ(image.manifest.layers[0].digest, image_.diff_id);
  EXPECT_EQ(image.manifest.layers[0].media_type, "application/vnd.oci.image.layer.v1.tar");
  EXPECT_EQ(image.manifest.layers[0].size, static_cast<int64_t>(image_.layer_tar.size()));
  EXPECT_EQ(os::read_file(image.layer_blobs[0]).value(), image_.layer_tar);
}

TEST_F(ArchiveReaderTest, DockerSaveCompressedLayerIsHashedAsIs) {
  std::string dir = image_.diff_id.substr(7);
  TarBuilder tar;
  tar.file(image_.config_digest.substr(7) + ".json", image_.config)
      .file(dir + "/layer.tar", image_.layer_blob)
      .file("manifest.json",
            nlohmann::json::array({{{"Config", image_.config_digest.substr(7) + ".json"},
                                    {"RepoTags", nullptr},
                                    {"Layers", {dir + "/layer.tar"}}}})
                .dump());
  Result<ArchiveContents> contents = read(tar.build());
  ASSERT_TRUE(contents.has_value()) << contents.error().message;
  const Descriptor& layer = contents->images[0].manifest.layers[0];
  EXPECT_EQ(layer.digest, image_.layer_digest);
  EXPECT_EQ(layer.media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  EXPECT_TRUE(contents->images[0].names.empty());
}

TEST_F(ArchiveReaderTest, DockerSaveLayerSymlinkedToAnotherIsFollowedInsideTheArchive) {
  TestImage twice = TestImage::make({{"a", "1"}});
  std::string dir = twice.diff_id.substr(7);
  nlohmann::json config = nlohmann::json::parse(twice.config);
  config["rootfs"]["diff_ids"] = {twice.diff_id, twice.diff_id};
  std::string config_raw = config.dump();
  TarBuilder tar;
  tar.file("c.json", config_raw)
      .file(dir + "/layer.tar", twice.layer_tar)
      .symlink("other/layer.tar", "../" + dir + "/layer.tar")
      .file("manifest.json",
            nlohmann::json::array({{{"Config", "c.json"},
                                    {"RepoTags", {"x:1"}},
                                    {"Layers", {dir + "/layer.tar", "other/layer.tar"}}}})
                .dump());
  Result<ArchiveContents> contents = read(tar.build());
  ASSERT_TRUE(contents.has_value()) << contents.error().message;
  EXPECT_EQ(contents->images[0].layer_blobs.size(), 2u);
}

TEST_F(ArchiveReaderTest, CompressedArchivesAreRead) {
  TarBuilder tar;
  add_docker_save(tar, image_, {"x:1"});
  for (Compression compression : {Compression::kGzip, Compression::kZstd}) {
    Result<ArchiveContents> contents = read(testing::compress(tar.build(), compression));
    ASSERT_TRUE(contents.has_value()) << contents.error().message;
  }
}

TEST_F(ArchiveReaderTest, ImagesSharingAManifestAreMergedWithAllTheirNames) {
  TestImage other = TestImage::make({{"b", "2"}});
  TarBuilder tar;
  add_oci_layout(tar, {image_, other}, {"a.io/x:1", "a.io/y:1"});
  nlohmann::json index = {{"schemaVersion", 2},
                          {"manifests",
                           {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                             {"digest", image_.manifest_digest},
                             {"size", image_.manifest.size()},
                             {"annotations", {{"io.containerd.image.name", "a.io/x:1"}}}},
                            {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                             {"digest", image_.manifest_digest},
                             {"size", image_.manifest.size()},
                             {"annotations", {{"org.opencontainers.image.ref.name", "a.io/x:2"}}}},
                            {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                             {"digest", other.manifest_digest},
                             {"size", other.manifest.size()}}}}};
  TarBuilder layout;
  layout.file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})").file("index.json", index.dump());
  for (const TestImage* image : {&image_, &other}) {
    for (const std::string* blob : {&image->layer_blob, &image->config, &image->manifest})
      layout.file("blobs/sha256/" + sha256_of(*blob).substr(7), *blob);
  }
  Result<ArchiveContents> contents = read(layout.build());
  ASSERT_TRUE(contents.has_value()) << contents.error().message;
  ASSERT_EQ(contents->images.size(), 2u);
  EXPECT_EQ(contents->images[0].names, (std::vector<std::string>{"a.io/x:1", "a.io/x:2"}));
  EXPECT_TRUE(contents->images[1].names.empty());
}

}  // namespace
}  // namespace msb::image
