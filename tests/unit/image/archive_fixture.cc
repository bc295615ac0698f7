#include "archive_fixture.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace msb::image::testing {
namespace {

using Json = nlohmann::json;

std::string hex(const std::string& digest) { return digest.substr(7); }

}  // namespace

TestImage TestImage::make(const std::map<std::string, std::string>& files, const std::string& cmd) {
  TestImage image;
  TarBuilder layer;
  for (const auto& [path, data] : files) layer.file(path, data);
  image.layer_tar = layer.build();
  image.diff_id = sha256_of(image.layer_tar);
  image.layer_blob = compress(image.layer_tar, Compression::kGzip);
  image.layer_digest = sha256_of(image.layer_blob);
  image.config = Json{{"architecture", "amd64"},
                      {"os", "linux"},
                      {"config", {{"Cmd", {cmd}}}},
                      {"rootfs", {{"type", "layers"}, {"diff_ids", {image.diff_id}}}}}
                     .dump();
  image.config_digest = sha256_of(image.config);
  Json layer_descriptor = {{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                           {"digest", image.layer_digest},
                           {"size", image.layer_blob.size()}};
  image.manifest = Json{{"schemaVersion", 2},
                        {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                        {"config",
                         {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                          {"digest", image.config_digest},
                          {"size", image.config.size()}}},
                        {"layers", {layer_descriptor}}}
                       .dump();
  image.manifest_digest = sha256_of(image.manifest);
  return image;
}

void add_oci_layout(TarBuilder& tar, const std::vector<TestImage>& images,
                    const std::vector<std::string>& ref_names) {
  tar.file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})").dir("blobs").dir("blobs/sha256");
  Json index = {{"schemaVersion", 2},
                {"mediaType", "application/vnd.oci.image.index.v1+json"},
                {"manifests", Json::array()}};
  for (size_t i = 0; i < images.size(); ++i) {
    const TestImage& image = images[i];
    for (const std::string* blob : {&image.layer_blob, &image.config, &image.manifest})
      tar.file("blobs/sha256/" + hex(sha256_of(*blob)), *blob);
    Json entry = {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                  {"digest", image.manifest_digest},
                  {"size", image.manifest.size()}};
    if (i < ref_names.size())
      entry["annotations"] = {{"org.opencontainers.image.ref.name", ref_names[i]}};
    index["manifests"].push_back(entry);
  }
  tar.file("index.json", index.dump());
}

void add_docker_save(TarBuilder& tar, const TestImage& image,
                     const std::vector<std::string>& tags) {
  std::string layer_dir = hex(image.diff_id);
  tar.file(hex(image.config_digest) + ".json", image.config)
      .dir(layer_dir)
      .file(layer_dir + "/layer.tar", image.layer_tar);
  Json manifest = Json::array({{{"Config", hex(image.config_digest) + ".json"},
                                {"RepoTags", tags},
                                {"Layers", {layer_dir + "/layer.tar"}}}});
  tar.file("manifest.json", manifest.dump());
}

ArchiveTestDir::ArchiveTestDir() {
  Result<os::TempDir> dir = os::TempDir::create("msb-archive-test-");
  EXPECT_TRUE(dir.has_value()) << dir.error().message;
  dir_.emplace(std::move(*dir));
  Result<BlobCache> blobs = BlobCache::open(cache_dir());
  EXPECT_TRUE(blobs.has_value()) << blobs.error().message;
  blobs_.emplace(std::move(*blobs));
}

std::string ArchiveTestDir::write(const std::string& name, const std::string& data) const {
  std::string file = path() + "/" + name;
  EXPECT_TRUE(os::write_file(file, data).has_value());
  return file;
}

}  // namespace msb::image::testing
