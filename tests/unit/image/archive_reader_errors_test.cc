// Untrusted archives: every bad input is a clear error that stores nothing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "archive_fixture.h"
#include "image/archive_reader.h"

namespace msb::image {
namespace {

using testing::add_docker_save;
using testing::add_oci_layout;
using testing::ArchiveTestDir;
using testing::sha256_of;
using testing::TarBuilder;
using testing::TestImage;
using Json = nlohmann::json;

class ArchiveReaderErrors : public ::testing::Test {
 protected:
  // Expects `tar` to be refused with `kind` and a message containing `text`, leaving no
  // blob and no staging files behind.
  void expect_refused(const std::string& tar, ErrorKind kind, const std::string& text) {
    std::string path = dir_.write("archive.tar", tar);
    Result<ArchiveContents> contents = read_image_archive(path, dir_.blobs(), dir_.staging());
    ASSERT_FALSE(contents.has_value());
    EXPECT_EQ(contents.error().kind, kind) << contents.error().message;
    EXPECT_NE(contents.error().message.find(text), std::string::npos) << contents.error().message;
    EXPECT_TRUE(dir_.blobs().list().value().empty()) << "a blob was stored";
    EXPECT_TRUE(os::list_dir(dir_.staging()).empty()) << "staging files left";
  }
  std::string oci() {
    TarBuilder tar;
    add_oci_layout(tar, {image_}, {"a.io/x:1"});
    return tar.build();
  }
  // An OCI layout whose files are `files` (name -> data), for hand-made breakage.
  static std::string layout(const std::map<std::string, std::string>& files) {
    TarBuilder tar;
    for (const auto& [name, data] : files) tar.file(name, data);
    return tar.build();
  }
  std::map<std::string, std::string> good_files() const {
    std::map<std::string, std::string> files;
    for (const std::string* blob : {&image_.layer_blob, &image_.config, &image_.manifest})
      files["blobs/sha256/" + sha256_of(*blob).substr(7)] = *blob;
    files["oci-layout"] = R"({"imageLayoutVersion":"1.0.0"})";
    files["index.json"] = index_for(image_.manifest_digest, image_.manifest.size());
    return files;
  }
  static std::string index_for(const std::string& digest, size_t size) {
    return Json{{"schemaVersion", 2},
                {"manifests",
                 {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"digest", digest},
                   {"size", size}}}}}
        .dump();
  }

  ArchiveTestDir dir_;
  TestImage image_ = TestImage::make({{"etc/hello", "hi\n"}});
};

TEST_F(ArchiveReaderErrors, EntriesEscapingTheArchiveAreRefused) {
  expect_refused(TarBuilder().file("../evil", "x").build(), ErrorKind::kInvalidArgument,
                 "escapes the archive");
  expect_refused(TarBuilder().file("a/../../evil", "x").build(), ErrorKind::kInvalidArgument,
                 "escapes the archive");
  expect_refused(TarBuilder().file("/etc/evil", "x").build(), ErrorKind::kInvalidArgument,
                 "absolute path");
  expect_refused(TarBuilder().symlink("manifest.json", "../../etc/passwd").build(),
                 ErrorKind::kInvalidArgument, "escapes the archive");
  expect_refused(TarBuilder().symlink("manifest.json", "/etc/passwd").build(),
                 ErrorKind::kInvalidArgument, "escapes the archive");
  expect_refused(TarBuilder().hardlink("manifest.json", "../x").build(),
                 ErrorKind::kInvalidArgument, "escapes the archive");
  EXPECT_TRUE(os::list_dir(dir_.path()).size() <= 2u) << "something was written outside";
}

TEST_F(ArchiveReaderErrors, DevicesDuplicatesAndLinkLoopsAreRefused) {
  expect_refused(TarBuilder().node("dev", 'c', 1, 3).build(), ErrorKind::kInvalidArgument,
                 "not a file, directory or link");
  expect_refused(TarBuilder().file("a", "1").file("a", "2").build(), ErrorKind::kInvalidArgument,
                 "duplicate entry a");
  expect_refused(TarBuilder()
                     .symlink("c.json", "d.json")
                     .symlink("d.json", "c.json")
                     .file("manifest.json", R"([{"Config": "c.json", "Layers": []}])")
                     .build(),
                 ErrorKind::kInvalidArgument, "too many levels of links");
}

TEST_F(ArchiveReaderErrors, GarbageTruncatedAndUnknownArchivesAreRefused) {
  std::string garbage;
  for (int i = 0; i < 200; ++i) garbage += "this is not a tar archive at all. ";
  expect_refused(garbage, ErrorKind::kInvalidArgument, "read archive");
  std::string whole = oci();
  // Cut inside an entry (a cut between entries reads as a shorter archive: files missing).
  expect_refused(whole.substr(0, whole.size() / 2 + 100), ErrorKind::kInvalidArgument, "truncated");
  expect_refused(TarBuilder().file("readme", "hi").build(), ErrorKind::kInvalidArgument,
                 "neither a docker save archive");
  Result<ArchiveContents> missing =
      read_image_archive(dir_.path() + "/none.tar", dir_.blobs(), dir_.staging());
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST_F(ArchiveReaderErrors, MissingBlobsAreClearErrors) {
  std::map<std::string, std::string> files = good_files();
  files.erase("blobs/sha256/" + image_.layer_digest.substr(7));
  expect_refused(layout(files), ErrorKind::kNotFound, "has no file blobs/sha256/");
  files = good_files();
  files.erase("blobs/sha256/" + image_.manifest_digest.substr(7));
  expect_refused(layout(files), ErrorKind::kNotFound, image_.manifest_digest.substr(7));
}

TEST_F(ArchiveReaderErrors, DigestAndSizeMismatchesAreIntegrityErrors) {
  std::map<std::string, std::string> files = good_files();
  files["index.json"] = index_for(image_.manifest_digest, image_.manifest.size() + 1);
  expect_refused(layout(files), ErrorKind::kIntegrity, "its descriptor says");
  files = good_files();
  std::string& manifest = files["blobs/sha256/" + image_.manifest_digest.substr(7)];
  manifest[manifest.size() - 1] = ' ';
  expect_refused(layout(files), ErrorKind::kIntegrity, "digest mismatch");
  files = good_files();
  files["blobs/sha256/" + image_.layer_digest.substr(7)] += "x";
  expect_refused(layout(files), ErrorKind::kIntegrity, "the manifest says");
}

TEST_F(ArchiveReaderErrors, ALayerFailingItsDigestRemovesTheBlobsAlreadyStored) {
  std::map<std::string, std::string> files = good_files();
  std::string& layer = files["blobs/sha256/" + image_.layer_digest.substr(7)];
  layer[layer.size() / 2] ^= 0x55;  // same size: only the digest check at store time sees it
  expect_refused(layout(files), ErrorKind::kIntegrity, "digest mismatch");
}

TEST_F(ArchiveReaderErrors, OversizedAndMalformedJsonIsRefused) {
  std::map<std::string, std::string> files = good_files();
  files["index.json"] = std::string(5 << 20, ' ');
  expect_refused(layout(files), ErrorKind::kInvalidArgument, "more than the");
  files = good_files();
  files["index.json"] = "{\"schemaVersion\": 2, \"manifests\": [";
  expect_refused(layout(files), ErrorKind::kInvalidArgument, "index");
  files = good_files();
  files["oci-layout"] = "[]";
  expect_refused(layout(files), ErrorKind::kInvalidArgument, "oci-layout");
  expect_refused(TarBuilder().file("manifest.json", "{\"Config\": 1}").build(),
                 ErrorKind::kInvalidArgument, "not a JSON array");
  expect_refused(TarBuilder().file("manifest.json", "[{\"Config\": 1}]").build(),
                 ErrorKind::kInvalidArgument, "Config");
}

TEST_F(ArchiveReaderErrors, DockerConfigMustMatchItsNameAndLayerCount) {
  TarBuilder renamed;
  std::string wrong = std::string(64, 'a') + ".json";
  renamed.file(wrong, image_.config)
      .file("l/layer.tar", image_.layer_tar)
      .file("manifest.json",
            Json::array({{{"Config", wrong}, {"Layers", {"l/layer.tar"}}}}).dump());
  expect_refused(renamed.build(), ErrorKind::kIntegrity, "digest mismatch");
  TarBuilder counted;
  counted.file("c.json", image_.config)
      .file("l/layer.tar", image_.layer_tar)
      .file(
          "manifest.json",
          Json::array({{{"Config", "c.json"}, {"Layers", {"l/layer.tar", "l/layer.tar"}}}}).dump());
  expect_refused(counted.build(), ErrorKind::kIntegrity, "lists 1 layers, manifest.json 2");
}

TEST_F(ArchiveReaderErrors, DockerLayerThatIsNotItsDiffIdIsRefusedWhenStored) {
  TarBuilder tar;
  TestImage other = TestImage::make({{"x", "other"}});
  std::string config = image_.config_digest.substr(7) + ".json";
  tar.file(config, image_.config)
      .file("l/layer.tar", other.layer_tar)
      .file("manifest.json",
            Json::array({{{"Config", config}, {"Layers", {"l/layer.tar"}}}}).dump());
  expect_refused(tar.build(), ErrorKind::kIntegrity, "digest mismatch");
}

}  // namespace
}  // namespace msb::image
