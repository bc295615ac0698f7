#include "runtime/snapshot_descriptor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace msb::runtime {
namespace {

using ::testing::HasSubstr;

store::SnapshotRecord sample() {
  return store::SnapshotRecord{.id = 7,
                               .name = "prepared",
                               .source_sandbox = "builder",
                               .path = "/somewhere",
                               .engine = "vm",
                               .image_reference = "registry.local/python:3",
                               .manifest_digest = "sha256:" + std::string(64, 'a'),
                               .artifact = "upper.ext4",
                               .content_digest = "msb-sparse-sha256-v1:" + std::string(64, 'b'),
                               .size_bytes = 4ULL << 30,
                               .created_at_ns = 1'700'000'000'000'000'000};
}

// The descriptor of sample() with `key` (a JSON pointer) set to `value`.
std::string with(const std::string& key, nlohmann::json value) {
  nlohmann::json json = nlohmann::json::parse(snapshot_descriptor_json(sample()));
  json[nlohmann::json::json_pointer(key)] = std::move(value);
  return json.dump();
}

std::string parse_error(const std::string& text) {
  Result<store::SnapshotRecord> parsed = parse_snapshot_descriptor(text);
  if (parsed) return "<parsed>";
  EXPECT_EQ(parsed.error().kind, ErrorKind::kInvalidArgument);
  return parsed.error().message;
}

TEST(SnapshotDescriptor, RoundTripsWithoutStoreFields) {
  store::SnapshotRecord parsed =
      parse_snapshot_descriptor(snapshot_descriptor_json(sample())).value();
  store::SnapshotRecord expected = sample();
  expected.id = 0;
  expected.path = "";
  EXPECT_EQ(parsed, expected);
}

TEST(SnapshotDescriptor, TheBaseImageHasNoDigest) {
  store::SnapshotRecord base = sample();
  base.image_reference = "base";
  base.manifest_digest = "";
  EXPECT_EQ(parse_snapshot_descriptor(snapshot_descriptor_json(base)).value().manifest_digest, "");
}

TEST(SnapshotDescriptor, MalformedDescriptorsSayWhatIsWrong) {
  EXPECT_THAT(parse_error("not json"), HasSubstr("not a JSON object"));
  EXPECT_THAT(parse_error(with("/schema", 2)), HasSubstr("schema 2 is not supported"));
  EXPECT_THAT(parse_error(with("/name", "../x")), HasSubstr("snapshot name must start"));
  EXPECT_THAT(parse_error(with("/engine", "docker")), HasSubstr("engine 'docker'"));
  EXPECT_THAT(parse_error(with("/artifact/file", "upper.tar")), HasSubstr("artifact 'upper.tar'"));
  EXPECT_THAT(parse_error(with("/artifact/file", "../../etc/passwd")), HasSubstr("artifact"));
  EXPECT_THAT(parse_error(with("/image/manifest_digest", "sha256:abc")),
              HasSubstr("is not sha256:<64 hex>"));
  EXPECT_THAT(parse_error(with("/artifact/digest", "sha256:" + std::string(64, 'a'))),
              HasSubstr("msb-sparse-sha256-v1:<64 hex>"));
  EXPECT_THAT(parse_error(with("/artifact/size_bytes", "big")), HasSubstr("'size_bytes' has"));
  EXPECT_THAT(parse_error(with("/image/reference", "")), HasSubstr("image reference is empty"));
  nlohmann::json json = nlohmann::json::parse(snapshot_descriptor_json(sample()));
  json.erase("engine");
  EXPECT_THAT(parse_error(json.dump()), HasSubstr("'engine' is missing"));
}

TEST(SnapshotDescriptor, NamesFollowTheSandboxNameRules) {
  EXPECT_TRUE(validate_snapshot_name("prepared-1.0_x"));
  Result<void> bad = validate_snapshot_name("-x");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalidConfig);
  EXPECT_THAT(bad.error().message, HasSubstr("snapshot name must start"));
  EXPECT_THAT(validate_snapshot_name("").error().message, HasSubstr("snapshot name must not be"));
}

}  // namespace
}  // namespace msb::runtime
