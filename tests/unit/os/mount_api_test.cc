#include "os/mount_api.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "os/file.h"
#include "os/system.h"

namespace msb::os {
namespace {

// A lower, an upper and a work directory side by side, as the namespace engine lays out a
// sandbox's layers.
struct OverlayDirs {
  TempDir root;
  std::string lower, upper, work;
};

OverlayDirs make_overlay_dirs() {
  TempDir root = TempDir::create("msb-overlay-test-").value();
  OverlayDirs dirs{std::move(root), "", "", ""};
  dirs.lower = dirs.root.path() + "/lower";
  dirs.upper = dirs.root.path() + "/upper";
  dirs.work = dirs.root.path() + "/work";
  for (const std::string& dir : {dirs.lower, dirs.upper, dirs.work})
    EXPECT_TRUE(make_dirs(dir).has_value()) << dir;
  EXPECT_TRUE(write_file(dirs.lower + "/from-lower", "image").has_value());
  return dirs;
}

// Writes through the detached overlay land in the upper directory.
void expect_writes_reach_upper(const Fd& mount, const OverlayDirs& dirs) {
  int fd = ::openat(mount.get(), "written", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "sandbox", 7), 7);
  ::close(fd);
  EXPECT_EQ(read_file(dirs.upper + "/written").value_or(""), "sandbox");
  EXPECT_EQ(::faccessat(mount.get(), "from-lower", R_OK, 0), 0);
}

TEST(OverlayMount, SyncedByDefault) {
  if (!running_as_root()) GTEST_SKIP() << "mounting overlayfs needs root";
  OverlayDirs dirs = make_overlay_dirs();
  Result<Fd> mount = make_overlay_mount({dirs.lower}, dirs.upper, dirs.work);
  ASSERT_TRUE(mount.has_value()) << mount.error().message;
  expect_writes_reach_upper(*mount, dirs);
  // overlayfs marks a volatile work directory so that it is never mounted again after a
  // crash; a synced one has no such mark.
  EXPECT_FALSE(is_directory(dirs.work + "/work/incompat/volatile"));
}

TEST(OverlayMount, VolatileUpperIsMarkedAndStillWritable) {
  if (!running_as_root()) GTEST_SKIP() << "mounting overlayfs needs root";
  OverlayDirs dirs = make_overlay_dirs();
  Result<Fd> mount =
      make_overlay_mount({dirs.lower}, dirs.upper, dirs.work, UpperDurability::kVolatile);
  ASSERT_TRUE(mount.has_value()) << mount.error().message;
  expect_writes_reach_upper(*mount, dirs);
  EXPECT_TRUE(is_directory(dirs.work + "/work/incompat/volatile"));
}

TEST(OverlayMount, MissingUpperNamesTheLayers) {
  if (!running_as_root()) GTEST_SKIP() << "mounting overlayfs needs root";
  OverlayDirs dirs = make_overlay_dirs();
  Result<Fd> mount = make_overlay_mount({dirs.lower}, dirs.root.path() + "/absent", dirs.work,
                                        UpperDurability::kVolatile);
  ASSERT_FALSE(mount.has_value());
  EXPECT_NE(mount.error().message.find(dirs.root.path() + "/absent"), std::string::npos)
      << mount.error().message;
}

}  // namespace
}  // namespace msb::os
