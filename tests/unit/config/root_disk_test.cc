#include "config/root_disk.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config/sandbox_config.h"
#include "config/validate.h"

namespace msb::config {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr uint64_t kGiB = uint64_t{1} << 30;

std::string error_of(const Result<void>& result, ErrorKind kind = ErrorKind::kInvalidConfig) {
  if (result.has_value()) return "<ok>";
  EXPECT_EQ(result.error().kind, kind) << result.error().message;
  return result.error().message;
}

RootDisk disk(uint64_t size) { return RootDisk{RootDisk::Kind::kDisk, size}; }
RootDisk tmpfs(uint64_t size) { return RootDisk{RootDisk::Kind::kTmpfs, size}; }

TEST(RootDisk, DefaultsToADiskOfTheDefaultSize) {
  RootDisk root;
  EXPECT_EQ(root.kind, RootDisk::Kind::kDisk);
  EXPECT_EQ(effective_root_disk_bytes(root, 512, "vm"), 4 * kGiB);
  EXPECT_EQ(effective_root_disk_bytes(root, 512, "namespace"), 0u);
}

TEST(RootDisk, TmpfsDefaultsToHalfTheMemory) {
  EXPECT_EQ(effective_root_disk_bytes(tmpfs(0), 512, "vm"), 256 * kMiB);
  EXPECT_EQ(effective_root_disk_bytes(tmpfs(0), 1024, "namespace"), 512 * kMiB);
  EXPECT_EQ(effective_root_disk_bytes(tmpfs(64 * kMiB), 1024, "vm"), 64 * kMiB);
}

TEST(ValidateRootDisk, AcceptsDiskSizesFrom64MiBTo2TiB) {
  for (uint64_t size : {uint64_t{0}, 64 * kMiB, 256 * kMiB, 8 * kGiB, uint64_t{2} << 40})
    EXPECT_EQ(error_of(validate_root_disk(disk(size), 512, "vm")), "<ok>") << size;
}

TEST(ValidateRootDisk, RefusesDiskSizesOutOfRange) {
  for (uint64_t size : {uint64_t{1}, 63 * kMiB, (uint64_t{2} << 40) + kMiB}) {
    EXPECT_NE(error_of(validate_root_disk(disk(size), 512, "vm")).find("root disk size must be"),
              std::string::npos)
        << size;
  }
}

TEST(ValidateRootDisk, RefusesDiskSizesThatAreNotWholeMiB) {
  EXPECT_EQ(error_of(validate_root_disk(disk(100 * kMiB + 4096), 512, "vm")),
            "invalid config: root disk size must be a whole number of MiB from 64 MiB to 2 TiB, "
            "got 104861696 bytes");
}

TEST(ValidateRootDisk, NamespaceEngineTakesNoDiskSize) {
  EXPECT_EQ(error_of(validate_root_disk(disk(0), 512, "namespace")), "<ok>");
  EXPECT_EQ(error_of(validate_root_disk(disk(8 * kGiB), 512, "namespace"), ErrorKind::kUnsupported),
            "the namespace engine's root layer is a host directory and cannot be limited to "
            "8 GiB; use --root-disk tmpfs:8G or --isolation vm");
}

TEST(ValidateRootDisk, NamespaceEngineTakesATmpfs) {
  EXPECT_EQ(error_of(validate_root_disk(tmpfs(0), 512, "namespace")), "<ok>");
  EXPECT_EQ(error_of(validate_root_disk(tmpfs(128 * kMiB), 512, "namespace")), "<ok>");
}

TEST(ValidateRootDisk, TmpfsSizeIsFrom1MiBToTheMemory) {
  EXPECT_EQ(error_of(validate_root_disk(tmpfs(kMiB), 512, "vm")), "<ok>");
  EXPECT_EQ(error_of(validate_root_disk(tmpfs(512 * kMiB), 512, "vm")), "<ok>");
  EXPECT_EQ(error_of(validate_root_disk(tmpfs(512 * kMiB + 1), 512, "vm")),
            "invalid config: root tmpfs size must be from 1 MiB to the sandbox's memory "
            "(512 MiB): its files are kept in that memory, got 536870913 bytes");
  EXPECT_NE(error_of(validate_root_disk(tmpfs(kMiB - 1), 512, "vm")), "<ok>");
}

TEST(ValidateRootDisk, RunsInsideValidate) {
  SandboxConfig config;
  config.name = "box";
  config.isolation = "namespace";
  config.root_disk = disk(kGiB);
  Result<void> result = validate(config, "/home/u/.microsandbox");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::kUnsupported);
  config.root_disk = tmpfs(2 * kGiB);  // more than the 512 MiB of memory
  EXPECT_NE(error_of(validate(config, "/home/u/.microsandbox")), "<ok>");
}

TEST(NormalizeRootDisk, StoresTheResolvedSize) {
  SandboxConfig config;
  config.name = "box";
  normalize(config);
  EXPECT_EQ(config.root_disk, disk(4 * kGiB));
  config.root_disk = tmpfs(0);
  normalize(config);
  EXPECT_EQ(config.root_disk, tmpfs(256 * kMiB));
  config.isolation = "namespace";
  config.root_disk = disk(0);
  normalize(config);
  EXPECT_EQ(config.root_disk, disk(0));
}

TEST(DescribeRootDisk, SaysWhatTheSandboxGets) {
  EXPECT_EQ(describe_root_disk(disk(0), 512, "vm"), "4 GiB disk");
  EXPECT_EQ(describe_root_disk(disk(256 * kMiB), 512, "vm"), "256 MiB disk");
  EXPECT_EQ(describe_root_disk(disk(0), 512, "namespace"), "host directory (no size limit)");
  EXPECT_EQ(describe_root_disk(tmpfs(0), 512, "namespace"), "256 MiB tmpfs");
}

TEST(FormatSize, UsesTheLargestUnitThatDivides) {
  EXPECT_EQ(format_size(0), "0 bytes");
  EXPECT_EQ(format_size(100), "100 bytes");
  EXPECT_EQ(format_size(1536 * 1024), "1536 KiB");
  EXPECT_EQ(format_size(3 * kGiB), "3 GiB");
  EXPECT_EQ(format_size(uint64_t{2} << 40), "2 TiB");
}

TEST(RootDiskJson, RoundTripsThroughTheSandboxConfig) {
  SandboxConfig config;
  config.name = "box";
  config.root_disk = tmpfs(64 * kMiB);
  Result<SandboxConfig> back = config_from_json(to_json(config));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->root_disk, config.root_disk);
  EXPECT_NE(to_json(config).find(R"("root_disk":{"kind":"tmpfs","size_bytes":67108864})"),
            std::string::npos);
}

TEST(RootDiskJson, AStoredConfigWithoutItGetsTheDefaultDisk) {
  Result<SandboxConfig> config = config_from_json(R"({"name": "old"})");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->root_disk, RootDisk{});
  EXPECT_EQ(effective_root_disk_bytes(config->root_disk, config->memory_mib, "vm"), 4 * kGiB);
}

TEST(RootDiskJson, RefusesWrongTypesAndUnknownKinds) {
  for (const char* text :
       {R"({"root_disk": 5})", R"({"root_disk": {"kind": 1}})",
        R"({"root_disk": {"kind": "flat"}})", R"({"root_disk": {"size_bytes": -1}})",
        R"({"root_disk": {"size_bytes": "1G"}})"}) {
    Result<SandboxConfig> config = config_from_json(text);
    ASSERT_FALSE(config) << text;
    EXPECT_EQ(config.error().kind, ErrorKind::kInvalidConfig);
    EXPECT_NE(config.error().message.find("sandbox config"), std::string::npos)
        << config.error().message;
  }
}

TEST(RootDiskJson, MissingKeysKeepTheirDefaults) {
  Result<RootDisk> root = root_disk_from_json(nlohmann::json::parse(R"({"kind": "tmpfs"})"));
  ASSERT_TRUE(root);
  EXPECT_EQ(*root, tmpfs(0));
}

}  // namespace
}  // namespace msb::config
