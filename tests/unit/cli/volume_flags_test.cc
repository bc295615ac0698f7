#include "cli/volume_flags.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace msb::cli {
namespace {

using config::VolumeMount;

TEST(VolumeFlag, HostPathsBindAndBareNamesAreNamedVolumes) {
  Result<VolumeMount> host = parse_volume_flag("/srv/data:/data");
  ASSERT_TRUE(host.has_value()) << host.error().message;
  EXPECT_EQ(host->kind, VolumeMount::Kind::kBind);
  EXPECT_EQ(host->source, "/srv/data");
  EXPECT_EQ(host->target, "/data");
  EXPECT_FALSE(host->read_only);
  Result<VolumeMount> named = parse_volume_flag("cache:/root/.cache:ro");
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(named->kind, VolumeMount::Kind::kNamed);
  EXPECT_EQ(named->source, "cache");
  EXPECT_TRUE(named->read_only);
}

TEST(VolumeFlag, RelativeHostPathsBecomeAbsoluteAndNormal) {
  const std::string cwd = std::filesystem::current_path().string();
  Result<VolumeMount> dot = parse_volume_flag(".:/app");
  ASSERT_TRUE(dot.has_value());
  EXPECT_EQ(dot->kind, VolumeMount::Kind::kBind);
  EXPECT_EQ(dot->source, cwd);
  Result<VolumeMount> sub = parse_volume_flag("src/../src/x/:/app");
  ASSERT_TRUE(sub.has_value());
  EXPECT_EQ(sub->source, cwd + "/src/x");
}

TEST(VolumeFlag, OptionsAreRoRwNoexecAndTheAlwaysOnOnes) {
  Result<VolumeMount> mount = parse_volume_flag("/a:/b:ro,noexec,nosuid,nodev");
  ASSERT_TRUE(mount.has_value());
  EXPECT_TRUE(mount->read_only);
  EXPECT_TRUE(mount->noexec);
  EXPECT_FALSE(parse_volume_flag("/a:/b:ro,rw")->read_only);  // the last one wins
  Result<VolumeMount> bad = parse_volume_flag("/a:/b:rox");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(bad.error().message,
            "-v '/a:/b:rox': unknown option 'rox': use ro, rw, noexec, nosuid or nodev");
}

TEST(VolumeFlag, MalformedTextIsRefused) {
  for (const char* text : {"/a", "", ":/b", "/a:", "/a:/b:ro:x"}) {
    Result<VolumeMount> mount = parse_volume_flag(text);
    ASSERT_FALSE(mount.has_value()) << text;
    EXPECT_NE(mount.error().message.find("expected SOURCE:GUEST_PATH[:OPTIONS]"),
              std::string::npos);
  }
}

TEST(NamedMountFlag, AlwaysANamedVolume) {
  Result<VolumeMount> mount = parse_named_mount_flag("data:/data:noexec");
  ASSERT_TRUE(mount.has_value());
  EXPECT_EQ(mount->kind, VolumeMount::Kind::kNamed);
  EXPECT_EQ(mount->source, "data");
  EXPECT_TRUE(mount->noexec);
  // A slash makes no host path here: validate() then refuses the name.
  EXPECT_EQ(parse_named_mount_flag("./x:/data")->kind, VolumeMount::Kind::kNamed);
}

TEST(TmpfsFlag, SizesAreMibOrSuffixedAndRoundUp) {
  EXPECT_EQ(parse_tmpfs_flag("/scratch")->size_mib, 0u);
  EXPECT_EQ(parse_tmpfs_flag("/scratch:64")->size_mib, 64u);
  EXPECT_EQ(parse_tmpfs_flag("/scratch:1G")->size_mib, 1024u);
  EXPECT_EQ(parse_tmpfs_flag("/scratch:1500K")->size_mib, 2u);
  EXPECT_EQ(parse_tmpfs_flag("/scratch")->kind, VolumeMount::Kind::kTmpfs);
  for (const char* text : {"/t:0", "/t:lots", "/t:1:2", ":5"}) {
    EXPECT_FALSE(parse_tmpfs_flag(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace msb::cli

namespace msb::cli {
namespace {

TEST(DiskMountFlag, ImageGuestPathAndOptions) {
  config::VolumeMount mount =
      parse_disk_mount_flag("/images/data.qcow2:/data:ro,format=qcow2,fstype=ext3").value();
  EXPECT_EQ(mount.kind, config::VolumeMount::Kind::kDisk);
  EXPECT_EQ(mount.source, "/images/data.qcow2");
  EXPECT_EQ(mount.target, "/data");
  EXPECT_TRUE(mount.read_only);
  EXPECT_EQ(mount.format, "qcow2");
  EXPECT_EQ(mount.fstype, "ext3");
  config::VolumeMount plain = parse_disk_mount_flag("disk.img:/d").value();
  EXPECT_EQ(plain.source, (std::filesystem::current_path() / "disk.img").string());
  EXPECT_EQ(plain.format, "");
  EXPECT_FALSE(plain.read_only);
}

TEST(DiskMountFlag, MalformedTextIsRefused) {
  for (const char* text : {"only-one", ":/d", "/a.img:", "/a.img:/d:ro:x", "/a.img:/d:bogus"}) {
    Result<config::VolumeMount> parsed = parse_disk_mount_flag(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().kind, ErrorKind::kInvalidArgument) << text;
    EXPECT_NE(parsed.error().message.find("--mount-disk"), std::string::npos) << text;
  }
  // format= and fstype= belong to disks only.
  EXPECT_FALSE(parse_volume_flag("/src:/d:format=raw"));
}

}  // namespace
}  // namespace msb::cli
