#include "image/manifest.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace msb::image {
namespace {

using nlohmann::json;

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');
const std::string kC = "sha256:" + std::string(64, 'c');

json descriptor(std::string_view type, const std::string& digest, int64_t size) {
  return json{{"mediaType", type}, {"digest", digest}, {"size", size}};
}

json oci_manifest() {
  return json{{"schemaVersion", 2},
              {"mediaType", kOciManifest},
              {"config", descriptor("application/vnd.oci.image.config.v1+json", kA, 10)},
              {"layers", json::array({descriptor(kOciLayerGzip, kB, 20),
                                      descriptor(kOciLayerZstd, kC, 30)})}};
}

json platform_entry(const std::string& digest, std::string arch, std::string variant = "") {
  json entry = descriptor(kOciManifest, digest, 100);
  entry["platform"] = {{"os", "linux"}, {"architecture", arch}};
  if (!variant.empty()) entry["platform"]["variant"] = variant;
  return entry;
}

Error manifest_error(const json& document) {
  Result<Manifest> manifest = parse_manifest(document.dump(), kA);
  EXPECT_FALSE(manifest.has_value()) << document.dump();
  return manifest.has_value() ? Error{} : manifest.error();
}

TEST(Manifest, ParsesOciManifest) {
  std::string raw = oci_manifest().dump();
  Result<Manifest> manifest = parse_manifest(raw, kC);
  ASSERT_TRUE(manifest.has_value()) << manifest.error().message;
  EXPECT_EQ(manifest->digest, kC);
  EXPECT_EQ(manifest->raw, raw);
  EXPECT_EQ(manifest->media_type, kOciManifest);
  EXPECT_EQ(manifest->config.digest, kA);
  EXPECT_EQ(manifest->config.size, 10);
  ASSERT_EQ(manifest->layers.size(), 2u);
  EXPECT_EQ(manifest->layers[0].digest, kB);
  EXPECT_EQ(manifest->layers[1].media_type, kOciLayerZstd);
}

TEST(Manifest, ParsesDockerSchema2AndOciWithoutMediaType) {
  json docker = oci_manifest();
  docker["mediaType"] = kDockerManifest;
  docker["config"]["mediaType"] = "application/vnd.docker.container.image.v1+json";
  docker["layers"] = json::array({descriptor(kDockerLayerGzip, kB, 5)});
  ASSERT_TRUE(parse_manifest(docker.dump(), kA).has_value());
  json bare = oci_manifest();
  bare.erase("mediaType");
  Result<Manifest> manifest = parse_manifest(bare.dump(), kA);
  ASSERT_TRUE(manifest.has_value());
  EXPECT_EQ(manifest->media_type, kOciManifest);
}

TEST(Manifest, AcceptsUncompressedLayersAndUrls) {
  json document = oci_manifest();
  document["layers"][0]["mediaType"] = kOciLayerTar;
  document["layers"][0]["urls"] = json::array({"https://example.com/x"});
  Result<Manifest> manifest = parse_manifest(document.dump(), kA);
  ASSERT_TRUE(manifest.has_value());
  EXPECT_EQ(manifest->layers[0].urls.size(), 1u);
}

TEST(Manifest, RejectsForeignAndNonDistributableLayers) {
  for (const char* type : {"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                           "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"}) {
    json document = oci_manifest();
    document["layers"][1]["mediaType"] = type;
    Error error = manifest_error(document);
    EXPECT_EQ(error.kind, ErrorKind::kUnsupported);
    EXPECT_NE(error.message.find("non-distributable"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find(kC), std::string::npos);
  }
  json odd = oci_manifest();
  odd["layers"][0]["mediaType"] = "application/x-squashfs";
  EXPECT_EQ(manifest_error(odd).kind, ErrorKind::kUnsupported);
}

TEST(Manifest, RejectsBadDescriptors) {
  json bad_digest = oci_manifest();
  bad_digest["layers"][0]["digest"] = "sha256:1234";
  EXPECT_NE(manifest_error(bad_digest).message.find("bad digest"), std::string::npos);
  json negative = oci_manifest();
  negative["layers"][0]["size"] = -1;
  EXPECT_NE(manifest_error(negative).message.find("non-negative"), std::string::npos);
  json huge = oci_manifest();
  huge["layers"][0]["size"] = UINT64_MAX;
  EXPECT_EQ(manifest_error(huge).kind, ErrorKind::kInvalidArgument);
  json string_size = oci_manifest();
  string_size["config"]["size"] = "10";
  EXPECT_EQ(manifest_error(string_size).kind, ErrorKind::kInvalidArgument);
  json float_size = oci_manifest();
  float_size["config"]["size"] = 1.5;
  EXPECT_EQ(manifest_error(float_size).kind, ErrorKind::kInvalidArgument);
  json no_config = oci_manifest();
  no_config.erase("config");
  EXPECT_NE(manifest_error(no_config).message.find("config missing"), std::string::npos);
  json layers_object = oci_manifest();
  layers_object["layers"] = json::object();
  EXPECT_EQ(manifest_error(layers_object).kind, ErrorKind::kInvalidArgument);
  json layer_not_object = oci_manifest();
  layer_not_object["layers"][0] = "x";
  EXPECT_EQ(manifest_error(layer_not_object).kind, ErrorKind::kInvalidArgument);
  json bad_config_type = oci_manifest();
  bad_config_type["config"]["mediaType"] = "text/plain";
  EXPECT_EQ(manifest_error(bad_config_type).kind, ErrorKind::kUnsupported);
}

TEST(Manifest, RejectsSchemaVersionsOtherThanTwo) {
  json v1 = oci_manifest();
  v1["schemaVersion"] = 1;
  EXPECT_EQ(manifest_error(v1).kind, ErrorKind::kUnsupported);
  json v3 = oci_manifest();
  v3["schemaVersion"] = 3;
  EXPECT_EQ(manifest_error(v3).kind, ErrorKind::kInvalidArgument);
  json none = oci_manifest();
  none.erase("schemaVersion");
  EXPECT_EQ(manifest_error(none).kind, ErrorKind::kInvalidArgument);
}

TEST(Manifest, RejectsAnIndexGivenAsManifest) {
  json index = {{"schemaVersion", 2}, {"mediaType", kOciIndex}, {"manifests", json::array()}};
  EXPECT_NE(manifest_error(index).message.find("index"), std::string::npos);
}

TEST(Manifest, RejectsTruncatedGarbageAndOversizedDocuments) {
  std::string raw = oci_manifest().dump();
  for (size_t cut : {size_t{0}, size_t{1}, raw.size() / 2, raw.size() - 1}) {
    Result<Manifest> manifest = parse_manifest(raw.substr(0, cut), kA);
    ASSERT_FALSE(manifest.has_value()) << cut;
    EXPECT_EQ(manifest.error().kind, ErrorKind::kInvalidArgument);
  }
  EXPECT_FALSE(parse_manifest("\x89PNG\r\n\x1a\n\xff\xfe", kA).has_value());
  EXPECT_FALSE(parse_manifest("[1,2,3]", kA).has_value());
  EXPECT_FALSE(parse_manifest("null", kA).has_value());
  std::string deep(100000, '[');
  EXPECT_FALSE(parse_manifest(deep, kA).has_value());
  json padded = oci_manifest();
  padded["annotations"] = {{"pad", std::string(kMaxManifestBytes, 'x')}};
  Result<Manifest> oversized = parse_manifest(padded.dump(), kA);
  ASSERT_FALSE(oversized.has_value());
  EXPECT_NE(oversized.error().message.find("too large"), std::string::npos);
}

TEST(Manifest, RejectsTooManyLayers) {
  json document = oci_manifest();
  document["layers"] = json::array();
  for (size_t i = 0; i <= kMaxLayers; ++i)
    document["layers"].push_back(descriptor(kOciLayerGzip, kB, 1));
  EXPECT_NE(manifest_error(document).message.find("too many layers"), std::string::npos);
}

TEST(Index, ParsesEntriesWithPlatforms) {
  json document = {
      {"schemaVersion", 2},
      {"mediaType", kDockerManifestList},
      {"manifests", json::array({platform_entry(kA, "amd64"), platform_entry(kB, "arm64", "v8")})}};
  Result<Index> index = parse_index(document.dump());
  ASSERT_TRUE(index.has_value()) << index.error().message;
  ASSERT_EQ(index->manifests.size(), 2u);
  EXPECT_EQ(index->manifests[1].platform->variant, "v8");
}

TEST(Index, RejectsMalformedIndexes) {
  EXPECT_FALSE(parse_index(oci_manifest().dump()).has_value());
  json no_list = {{"schemaVersion", 2}, {"mediaType", kOciIndex}};
  EXPECT_FALSE(parse_index(no_list.dump()).has_value());
  json bad_platform = {{"schemaVersion", 2},
                       {"manifests", json::array({platform_entry(kA, "amd64")})}};
  bad_platform["manifests"][0]["platform"] = "linux/amd64";
  EXPECT_FALSE(parse_index(bad_platform.dump()).has_value());
  json no_arch = bad_platform;
  no_arch["manifests"][0]["platform"] = {{"os", "linux"}};
  EXPECT_FALSE(parse_index(no_arch.dump()).has_value());
  EXPECT_FALSE(parse_index("{\"schemaVersion\":2,\"manifests\":[").has_value());
}

TEST(Index, DetectsMediaTypeFromFieldHeaderOrShape) {
  json index = {{"schemaVersion", 2}, {"manifests", json::array()}};
  EXPECT_EQ(*detect_media_type(index.dump(), ""), kOciIndex);
  EXPECT_EQ(*detect_media_type(index.dump(), std::string(kDockerManifestList) + "; charset=x"),
            kDockerManifestList);
  EXPECT_EQ(*detect_media_type(oci_manifest().dump(), "application/json"), kOciManifest);
  Result<std::string> schema1 = detect_media_type(
      "{\"schemaVersion\":1}", "application/vnd.docker.distribution.manifest.v1+prettyjws");
  ASSERT_FALSE(schema1.has_value());
  EXPECT_EQ(schema1.error().kind, ErrorKind::kUnsupported);
  EXPECT_FALSE(detect_media_type("{\"schemaVersion\":2}", "text/html").has_value());
  EXPECT_FALSE(detect_media_type("<html>", "text/html").has_value());
}

TEST(SelectPlatform, PicksArchitectureAndVariant) {
  Index index;
  for (const json& entry : {platform_entry(kA, "amd64"), platform_entry(kB, "arm64", "v8"),
                            platform_entry(kC, "arm", "v7")}) {
    index.manifests.push_back(
        *parse_index(json{{"schemaVersion", 2}, {"manifests", json::array({entry})}}.dump())
             ->manifests.begin());
  }
  EXPECT_EQ(select_platform(index, {"linux", "amd64", ""})->digest, kA);
  EXPECT_EQ(select_platform(index, {"linux", "arm64", "v8"})->digest, kB);
  EXPECT_EQ(select_platform(index, {"linux", "arm64", ""})->digest, kB);
  Result<Descriptor> missing = select_platform(index, {"linux", "arm", "v6"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(missing.error().message.find("linux/arm/v7"), std::string::npos);
  EXPECT_FALSE(select_platform(index, {"windows", "amd64", ""}).has_value());
}

TEST(SelectPlatform, EntryWithoutVariantIsTheFallback) {
  Index index;
  index.manifests.push_back(
      Descriptor{std::string(kOciManifest), kA, 1, {}, Platform{"linux", "arm64", ""}});
  index.manifests.push_back(Descriptor{std::string(kOciManifest), kB, 1, {}, std::nullopt});
  EXPECT_EQ(select_platform(index, {"linux", "arm64", "v8"})->digest, kA);
  EXPECT_FALSE(select_platform(Index{}, host_platform()).has_value());
}

TEST(SelectPlatform, HostPlatformIsLinux) {
  Platform host = host_platform();
  EXPECT_EQ(host.os, "linux");
  EXPECT_FALSE(host.architecture.empty());
}

}  // namespace
}  // namespace msb::image
