#include "cli/root_disk_flag.h"

#include <gtest/gtest.h>

#include "cli/sandbox_flags.h"

namespace msb::cli {
namespace {

using Kind = config::RootDisk::Kind;
constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr uint64_t kGiB = uint64_t{1} << 30;

std::string error_of(std::string_view text) {
  Result<config::RootDisk> disk = parse_root_disk_flag(text);
  if (disk) return "<ok>";
  EXPECT_EQ(disk.error().kind, ErrorKind::kInvalidArgument);
  return disk.error().message;
}

TEST(RootDiskFlag, ASizeIsADisk) {
  EXPECT_EQ(parse_root_disk_flag("8G").value(), (config::RootDisk{Kind::kDisk, 8 * kGiB}));
  EXPECT_EQ(parse_root_disk_flag("512M").value(), (config::RootDisk{Kind::kDisk, 512 * kMiB}));
  EXPECT_EQ(parse_root_disk_flag("1GiB").value(), (config::RootDisk{Kind::kDisk, kGiB}));
}

TEST(RootDiskFlag, BareDigitsAreMiBAsForTmpfsMounts) {
  EXPECT_EQ(parse_root_disk_flag("256").value(), (config::RootDisk{Kind::kDisk, 256 * kMiB}));
}

TEST(RootDiskFlag, TmpfsWithAndWithoutASize) {
  EXPECT_EQ(parse_root_disk_flag("tmpfs").value(), (config::RootDisk{Kind::kTmpfs, 0}));
  EXPECT_EQ(parse_root_disk_flag("tmpfs:1G").value(), (config::RootDisk{Kind::kTmpfs, kGiB}));
  EXPECT_EQ(parse_root_disk_flag("tmpfs:64").value(), (config::RootDisk{Kind::kTmpfs, 64 * kMiB}));
}

TEST(RootDiskFlag, RefusesMalformedText) {
  EXPECT_EQ(error_of(""),
            "--root-disk '': expected SIZE (such as 512M or 8G), tmpfs or tmpfs:SIZE");
  EXPECT_EQ(error_of("8X"),
            "--root-disk '8X': expected SIZE (such as 512M or 8G), tmpfs or tmpfs:SIZE");
  EXPECT_EQ(error_of("tmpfs:"),
            "--root-disk 'tmpfs:': expected tmpfs:SIZE with a size such as 512M or 1G");
  EXPECT_EQ(error_of("tmpfs:big"),
            "--root-disk 'tmpfs:big': expected tmpfs:SIZE with a size such as 512M or 1G");
  EXPECT_NE(error_of("flat:8G"), "<ok>");
  EXPECT_NE(error_of("-1G"), "<ok>");
  EXPECT_NE(error_of("99999999999999999999"), "<ok>");
  EXPECT_NE(error_of("18446744073709551615"), "<ok>");  // MiB that overflow bytes
}

TEST(RootDiskFlag, RefusesZero) {
  EXPECT_EQ(error_of("0"), "--root-disk '0': the size must be greater than 0");
  EXPECT_EQ(error_of("tmpfs:0G"), "--root-disk 'tmpfs:0G': the size must be greater than 0");
  EXPECT_FALSE(parse_root_disk_size("0"));
}

TEST(RootDiskFlag, FillsTheSandboxConfig) {
  CLI::App app;
  SandboxFlags flags;
  flags.add_to(app);
  app.parse(std::vector<std::string>{"tmpfs:128M", "--root-disk"});
  config::SandboxConfig config = flags.to_config("job").value();
  EXPECT_EQ(config.root_disk, (config::RootDisk{Kind::kTmpfs, 128 * kMiB}));
}

TEST(RootDiskFlag, AbsentFlagKeepsTheDefault) {
  CLI::App app;
  SandboxFlags flags;
  flags.add_to(app);
  app.parse(std::vector<std::string>{});
  EXPECT_EQ(flags.to_config("job").value().root_disk, config::RootDisk{});
}

}  // namespace
}  // namespace msb::cli
