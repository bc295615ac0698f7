#include "image/archive_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "archive_fixture.h"
#include "image/archive_reader.h"
#include "image/manifest.h"

namespace msb::image {
namespace {

using testing::add_oci_layout;
using testing::ArchiveTestDir;
using testing::sha256_of;
using testing::TarBuilder;
using testing::TestImage;

// A source image as the runtime gives it: the blobs in a cache.
class ArchiveWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TarBuilder tar;
    add_oci_layout(tar, {image_}, {"a.io/x:1"});
    Result<ArchiveContents> contents =
        read_image_archive(dir_.write("in.tar", tar.build()), dir_.blobs(), dir_.staging());
    ASSERT_TRUE(contents.has_value()) << contents.error().message;
    source_ = source_of(contents->images[0], {"a.io/x:1", "a.io/x@" + image_.manifest_digest});
  }
  static ArchiveSource source_of(const ArchiveImage& image, std::vector<std::string> names) {
    ArchiveSource source{.names = std::move(names),
                         .manifest_digest = image.manifest.digest,
                         .manifest_media_type = image.manifest.media_type,
                         .manifest_raw = image.manifest.raw,
                         .config_digest = image.manifest.config.digest,
                         .config_raw = image.config.raw};
    for (size_t i = 0; i < image.manifest.layers.size(); ++i) {
      const Descriptor& layer = image.manifest.layers[i];
      source.layers.push_back({layer.digest, image.config.diff_ids[i], layer.media_type, layer.size,
                               image.layer_blobs[i]});
    }
    return source;
  }
  // Reads `path` back into a fresh cache.
  Result<ArchiveContents> read_back(const std::string& path) {
    return read_image_archive(path, again_.blobs(), again_.staging());
  }

  ArchiveTestDir dir_, again_;
  TestImage image_ = TestImage::make({{"etc/hello", "hi\n"}, {"bin/sh", "#!"}});
  ArchiveSource source_;
};

TEST_F(ArchiveWriterTest, OciRoundTripKeepsTheManifestDigestAndNames) {
  std::string out = dir_.path() + "/out.tar";
  Result<void> written = write_image_archive(out, ArchiveFormat::kOci, {source_});
  ASSERT_TRUE(written.has_value()) << written.error().message;
  Result<ArchiveContents> contents = read_back(out);
  ASSERT_TRUE(contents.has_value()) << contents.error().message;
  ASSERT_EQ(contents->images.size(), 1u);
  const ArchiveImage& image = contents->images[0];
  EXPECT_EQ(image.manifest.digest, image_.manifest_digest);
  EXPECT_EQ(image.names, source_.names);
  EXPECT_EQ(os::read_file(image.layer_blobs[0]).value(), image_.layer_blob);
  EXPECT_FALSE(os::path_exists(out + ".msb-partial"));
}

TEST_F(ArchiveWriterTest, DockerRoundTripDecompressesLayersAndKeepsTags) {
  std::string out = dir_.path() + "/out.tar";
  Result<void> written = write_image_archive(out, ArchiveFormat::kDocker, {source_, source_});
  ASSERT_TRUE(written.has_value()) << written.error().message;
  Result<ArchiveContents> contents = read_back(out);
  ASSERT_TRUE(contents.has_value()) << contents.error().message;
  ASSERT_EQ(contents->images.size(), 1u);  // the same image twice is merged on reading
  const ArchiveImage& image = contents->images[0];
  EXPECT_EQ(image.names, std::vector<std::string>{"a.io/x:1"});  // digest names are no tags
  EXPECT_EQ(image.config.raw, image_.config);
  ASSERT_EQ(image.manifest.layers.size(), 1u);
  EXPECT_EQ(image.manifest.layers[0].digest, image_.diff_id);
  EXPECT_EQ(os::read_file(image.layer_blobs[0]).value(), image_.layer_tar);

  // Written again from the uncompressed layer, the archive is the same bytes.
  ArchiveSource loaded = source_of(image, source_.names);
  std::string again = dir_.path() + "/again.tar";
  ASSERT_TRUE(write_image_archive(again, ArchiveFormat::kDocker, {loaded}).has_value());
  std::string first = dir_.path() + "/first.tar";
  ASSERT_TRUE(write_image_archive(first, ArchiveFormat::kDocker, {source_}).has_value());
  EXPECT_EQ(sha256_of(os::read_file(again).value()), sha256_of(os::read_file(first).value()));
}

TEST_F(ArchiveWriterTest, ZstdLayersAreDecompressedToo) {
  ArchiveSource zstd = source_;
  std::string blob = testing::compress(image_.layer_tar, testing::Compression::kZstd);
  zstd.layers[0].media_type = kOciLayerZstd;
  zstd.layers[0].blob_path = dir_.write("zstd-blob", blob);
  std::string out = dir_.path() + "/out.tar";
  ASSERT_TRUE(write_image_archive(out, ArchiveFormat::kDocker, {zstd}).has_value());
  Result<ArchiveContents> contents = read_back(out);
  ASSERT_TRUE(contents.has_value()) << contents.error().message;
  EXPECT_EQ(os::read_file(contents->images[0].layer_blobs[0]).value(), image_.layer_tar);
}

TEST_F(ArchiveWriterTest, AMissingBlobFailsAndLeavesNoFile) {
  ArchiveSource broken = source_;
  broken.layers[0].blob_path = dir_.path() + "/gone";
  std::string out = dir_.path() + "/out.tar";
  for (ArchiveFormat format : {ArchiveFormat::kDocker, ArchiveFormat::kOci}) {
    Result<void> written = write_image_archive(out, format, {broken});
    ASSERT_FALSE(written.has_value());
    EXPECT_EQ(written.error().kind, ErrorKind::kNotFound) << written.error().message;
    EXPECT_FALSE(os::path_exists(out));
    EXPECT_FALSE(os::path_exists(out + ".msb-partial"));
  }
}

TEST_F(ArchiveWriterTest, ALayerThatIsNotItsDiffIdIsAnIntegrityError) {
  ArchiveSource wrong = source_;
  wrong.layers[0].blob_path = dir_.write(
      "other", testing::compress(TarBuilder().file("x", "y").build(), testing::Compression::kGzip));
  std::string out = dir_.path() + "/out.tar";
  Result<void> written = write_image_archive(out, ArchiveFormat::kDocker, {wrong});
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().kind, ErrorKind::kIntegrity) << written.error().message;
  EXPECT_FALSE(os::path_exists(out));
  std::string cut = image_.layer_blob.substr(0, image_.layer_blob.size() / 2);
  wrong.layers[0].blob_path = dir_.write("truncated", cut);
  written = write_image_archive(out, ArchiveFormat::kDocker, {wrong});
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().kind, ErrorKind::kInvalidArgument) << written.error().message;
}

TEST_F(ArchiveWriterTest, AnExistingOutputIsReplacedWhole) {
  std::string out = dir_.write("out.tar", "old contents");
  ASSERT_TRUE(write_image_archive(out, ArchiveFormat::kOci, {source_}).has_value());
  EXPECT_TRUE(read_back(out).has_value());
}

}  // namespace
}  // namespace msb::image
