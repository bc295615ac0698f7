#include "config/volume_mount.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "config/sandbox_config.h"
#include "config/validate.h"

namespace msb::config {
namespace {

VolumeMount bind_mount(std::string source, std::string target) {
  return {VolumeMount::Kind::kBind, std::move(source), std::move(target)};
}

VolumeMount tmpfs(std::string target, uint64_t size_mib = 0) {
  VolumeMount mount{VolumeMount::Kind::kTmpfs, "", std::move(target)};
  mount.size_mib = size_mib;
  return mount;
}

std::string refusal(const std::vector<VolumeMount>& mounts) {
  Result<void> checked = validate_mounts(mounts);
  if (checked) return "";
  EXPECT_EQ(checked.error().kind, ErrorKind::kInvalidConfig);
  return checked.error().message;
}

class VolumeMountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("msb-volume-mount-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "data");
    std::ofstream(dir_ / "file.txt") << "x";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const char* name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

TEST_F(VolumeMountTest, AcceptsDirectoriesFilesNamedVolumesAndTmpfs) {
  EXPECT_EQ(refusal({bind_mount(path("data"), "/data"),
                     bind_mount(path("file.txt"), "/etc/app.conf"),
                     {VolumeMount::Kind::kNamed, "cache-1", "/root/.cache"},
                     tmpfs("/scratch", 64)}),
            "");
  EXPECT_EQ(refusal({}), "");
}

TEST_F(VolumeMountTest, TargetsMustBeAbsoluteNormalizedAndNotTheKernels) {
  for (const char* target : {"data", "", "/", "/a/", "/a//b", "/a/./b", "/a/../b", "/..", "/proc",
                             "/proc/x", "/sys/fs", "/dev", "/dev/shm"}) {
    EXPECT_NE(refusal({bind_mount(path("data"), target)}), "") << target;
  }
  EXPECT_NE(refusal({bind_mount(path("data"), std::string("/a\0b", 4))}).find("NUL"),
            std::string::npos);
  // Only whole components are reserved.
  EXPECT_EQ(refusal({bind_mount(path("data"), "/devices"), bind_mount(path("data"), "/procfs")}),
            "");
  EXPECT_NE(refusal({bind_mount(path("data"), "/a/../b")}).find("mount /a/../b: "),
            std::string::npos);
}

TEST_F(VolumeMountTest, ATargetAppearsOnce) {
  EXPECT_NE(refusal({bind_mount(path("data"), "/data"), tmpfs("/data")}).find("same guest path"),
            std::string::npos);
}

TEST_F(VolumeMountTest, BindSourcesMustExistAsDirectoryOrFileAtAnAbsolutePath) {
  EXPECT_NE(refusal({bind_mount("relative/dir", "/data")}).find("must be absolute"),
            std::string::npos);
  EXPECT_NE(refusal({bind_mount(path("missing"), "/data")}).find("does not exist"),
            std::string::npos);
  EXPECT_NE(
      refusal({bind_mount("/dev/null", "/data")}).find("neither a directory nor a regular file"),
      std::string::npos);
  EXPECT_NE(refusal({bind_mount("", "/data")}), "");
}

TEST_F(VolumeMountTest, NamedSourcesFollowTheNameRules) {
  for (const char* name : {"", "-x", "a/b", "a b", ".."}) {
    EXPECT_NE(refusal({{VolumeMount::Kind::kNamed, name, "/data"}}).find("volume name"),
              std::string::npos)
        << name;
  }
}

TEST_F(VolumeMountTest, OnlyATmpfsHasASizeAndItHasNoSource) {
  VolumeMount sized = bind_mount(path("data"), "/data");
  sized.size_mib = 10;
  EXPECT_NE(refusal({sized}).find("only a tmpfs takes a size"), std::string::npos);
  VolumeMount sourced = tmpfs("/t");
  sourced.source = "/tmp";
  EXPECT_NE(refusal({sourced}).find("takes no source"), std::string::npos);
}

TEST_F(VolumeMountTest, CountAndTotalTargetLengthAreBounded) {
  std::vector<VolumeMount> many;
  for (size_t i = 0; i <= kMaxMounts; ++i) many.push_back(tmpfs("/t" + std::to_string(i)));
  EXPECT_NE(refusal(many).find("at most"), std::string::npos);
  std::vector<VolumeMount> long_paths;
  for (int i = 0; i < 3; ++i) long_paths.push_back(tmpfs("/" + std::string(200, 'a' + i)));
  EXPECT_NE(refusal(long_paths).find("shorter or fewer"), std::string::npos);
}

TEST_F(VolumeMountTest, JsonRoundTripsAndOldConfigsHaveNoMounts) {
  SandboxConfig config;
  config.name = "box";
  config.mounts = {bind_mount(path("data"), "/data"), tmpfs("/scratch", 32)};
  config.mounts[0].read_only = true;
  config.mounts[1].noexec = true;
  Result<SandboxConfig> back = config_from_json(to_json(config));
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->mounts, config.mounts);
  Result<SandboxConfig> old = config_from_json(R"({"name":"old"})");
  ASSERT_TRUE(old.has_value());
  EXPECT_TRUE(old->mounts.empty());
}

TEST_F(VolumeMountTest, JsonWithWrongTypesOrKindsIsRefused) {
  for (const char* text :
       {R"({"mounts":{}})", R"({"mounts":[1]})", R"({"mounts":[{"kind":"nfs","target":"/x"}]})",
        R"({"mounts":[{"kind":"bind","read_only":"yes"}]})",
        R"({"mounts":[{"kind":"tmpfs","size_mib":-1}]})"}) {
    Result<SandboxConfig> parsed = config_from_json(text);
    ASSERT_FALSE(parsed.has_value()) << text;
    EXPECT_EQ(parsed.error().kind, ErrorKind::kInvalidConfig);
    EXPECT_NE(parsed.error().message.find("sandbox config: mounts: "), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace msb::config

namespace msb::config {
namespace {

VolumeMount disk(std::string source, std::string target) {
  return {VolumeMount::Kind::kDisk, std::move(source), std::move(target)};
}

TEST_F(VolumeMountTest, DisksNeedAnImageFileAKnownFormatAndFilesystem) {
  EXPECT_EQ(refusal({disk(path("file.txt"), "/d")}), "");
  VolumeMount qcow = disk(path("file.txt"), "/d");
  qcow.format = "qcow2";
  qcow.fstype = "ext3";
  EXPECT_EQ(refusal({qcow}), "");
  EXPECT_NE(refusal({disk(path("data"), "/d")}).find("is not a regular file"), std::string::npos);
  EXPECT_NE(refusal({disk(path("missing.img"), "/d")}).find("does not exist"), std::string::npos);
  EXPECT_NE(refusal({disk("rel.img", "/d")}).find("must be an absolute path"), std::string::npos);
  VolumeMount vmdk = disk(path("file.txt"), "/d");
  vmdk.format = "vmdk";
  EXPECT_NE(refusal({vmdk}).find("disk format 'vmdk': use raw or qcow2"), std::string::npos);
  VolumeMount xfs = disk(path("file.txt"), "/d");
  xfs.fstype = "xfs";
  EXPECT_NE(refusal({xfs}).find("fstype 'xfs': use ext4, ext3 or ext2"), std::string::npos);
  VolumeMount sized = disk(path("file.txt"), "/d");
  sized.size_mib = 5;
  EXPECT_NE(refusal({sized}).find("only a tmpfs takes a size"), std::string::npos);
  VolumeMount bind_with_format = bind_mount(path("data"), "/d");
  bind_with_format.format = "raw";
  EXPECT_NE(refusal({bind_with_format}).find("only a disk takes a format or fstype"),
            std::string::npos);
}

TEST_F(VolumeMountTest, DisksRoundTripThroughJson) {
  VolumeMount mount = disk(path("file.txt"), "/d");
  mount.format = "qcow2";
  mount.fstype = "ext2";
  mount.read_only = true;
  Result<std::vector<VolumeMount>> back = mounts_from_json(mounts_to_json({mount}));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->at(0), mount);
}

TEST_F(VolumeMountTest, TheNamespaceEngineRefusesQcow2Disks) {
  SandboxConfig config;
  config.name = "x";
  config.isolation = "namespace";
  VolumeMount mount = disk(path("file.txt"), "/d");
  mount.format = "qcow2";
  config.mounts = {mount};
  Result<void> checked = validate(config, "/tmp/home");
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().kind, ErrorKind::kUnsupported);
  EXPECT_NE(checked.error().message.find("raw disk images only"), std::string::npos);
  config.isolation = "vm";
  EXPECT_TRUE(validate(config, "/tmp/home"));
}

}  // namespace
}  // namespace msb::config
