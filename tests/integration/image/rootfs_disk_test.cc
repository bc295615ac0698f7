#include "image/rootfs_disk.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <optional>
#include <string>
#include <vector>

#include "image/layer_store.h"
#include "os/child_process.h"
#include "os/file.h"
#include "os/fs_calls.h"
#include "os/mount.h"
#include "os/system.h"
#include "os/xattr.h"
#include "tar_builder.h"

namespace msb::image {
namespace {

using testing::TarBuilder;

const std::string kManifest =
    "sha256:1111111111111111111111111111111111111111111111111111111111111111";

struct stat lstat_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st;
}

class RootfsDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-rootfs-disk-test-");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
    cache_ = dir_->path() + "/cache";
    Result<LayerStore> store = LayerStore::open(cache_);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_.emplace(std::move(*store));
  }

  void TearDown() override {
    std::string mounts = os::read_file("/proc/self/mountinfo").value_or("");
    EXPECT_EQ(mounts.find(dir_->path()), std::string::npos) << "a mount was left behind";
  }

  // Unpacks `tar` as a layer and returns its directory.
  std::string layer(const std::string& tar) {
    std::string blob = dir_->path() + "/blob";
    EXPECT_TRUE(os::write_file(blob, tar).has_value());
    Result<std::string> path = store_->ensure_unpacked(testing::sha256_of(tar), blob, nullptr);
    EXPECT_TRUE(path.has_value()) << path.error().message;
    return path.value_or("");
  }

  std::vector<std::string> two_layers() {
    std::string lower = TarBuilder()
                            .dir("etc")
                            .file("etc/passwd", "root:x:0:0")
                            .file("etc/keep", "kept")
                            .dir("var/cache")
                            .file("var/cache/old", "o")
                            .file("bin/busybox", "bb", 04755)
                            .owner(1000, 2000)
                            .mtime(1'234'567'890)
                            .xattr("user.note", "hello")
                            .hardlink("bin/sh", "bin/busybox")
                            .symlink("bin/abs", "/etc/keep")
                            .node("dev/null", 'c', 1, 3)
                            .node("run/fifo", 'p')
                            .build();
    std::string upper = TarBuilder()
                            .file("etc/.wh.passwd", "")
                            .file("var/cache/.wh..wh..opq", "")
                            .file("var/cache/new", "n")
                            .file("etc/keep", "kept v2", 0600)
                            .build();
    return {layer(lower), layer(upper)};
  }

  std::optional<os::TempDir> dir_;
  std::string cache_;
  std::optional<LayerStore> store_;
};

TEST_F(RootfsDiskTest, TheDiskHoldsTheMergedTree) {
  Result<std::string> disk = ensure_rootfs_disk(cache_, kManifest, two_layers());
  ASSERT_TRUE(disk.has_value()) << disk.error().message;
  EXPECT_EQ(*disk, cache_ + "/rootfs/" + kManifest.substr(7) + ".erofs");
  std::string mnt = dir_->path() + "/mnt";
  ASSERT_TRUE(os::make_dirs(mnt).has_value());
  Result<os::Mount> mounted = os::Mount::create(*disk, mnt, "erofs", MS_RDONLY);
  ASSERT_TRUE(mounted.has_value()) << mounted.error().message;

  EXPECT_FALSE(os::path_exists(mnt + "/etc/passwd"));  // whited out, no whiteout left
  EXPECT_EQ(os::read_file(mnt + "/etc/keep").value_or(""), "kept v2");
  EXPECT_EQ(lstat_of(mnt + "/etc/keep").st_mode & 07777, 0600u);
  EXPECT_EQ(os::list_dir(mnt + "/var/cache"), std::vector<std::string>{"new"});  // opaque
  EXPECT_FALSE(os::get_xattr(mnt + "/var/cache", "trusted.overlay.opaque").has_value());
  struct stat busybox = lstat_of(mnt + "/bin/busybox");
  EXPECT_EQ(busybox.st_mode & 07777, 04755u);
  EXPECT_EQ(busybox.st_uid, 1000u);
  EXPECT_EQ(busybox.st_gid, 2000u);
  EXPECT_EQ(busybox.st_mtime, 1'234'567'890);
  EXPECT_EQ(lstat_of(mnt + "/bin/sh").st_ino, busybox.st_ino);
  EXPECT_EQ(os::get_xattr(mnt + "/bin/busybox", "user.note").value_or(""), "hello");
  EXPECT_EQ(os::read_link_at(AT_FDCWD, mnt + "/bin/abs").value_or(""), "/etc/keep");
  struct stat null = lstat_of(mnt + "/dev/null");
  EXPECT_TRUE(S_ISCHR(null.st_mode));
  EXPECT_EQ(null.st_rdev, makedev(1, 3));
  EXPECT_TRUE(S_ISFIFO(lstat_of(mnt + "/run/fifo").st_mode));
  ASSERT_TRUE(mounted->unmount().has_value());
}

TEST_F(RootfsDiskTest, ASingleLayerWorksAndTheDiskIsBuiltOnce) {
  std::vector<std::string> layers = {layer(TarBuilder().file("only", "1").build())};
  Result<std::string> disk = ensure_rootfs_disk(cache_, kManifest, layers);
  ASSERT_TRUE(disk.has_value()) << disk.error().message;
  int64_t built = lstat_of(*disk).st_mtim.tv_nsec + lstat_of(*disk).st_mtime * 1'000'000'000;
  Result<std::string> again = ensure_rootfs_disk(cache_, kManifest, layers);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(lstat_of(*again).st_mtim.tv_nsec + lstat_of(*again).st_mtime * 1'000'000'000, built);
  EXPECT_EQ(os::list_dir(cache_ + "/rootfs"),
            std::vector<std::string>{kManifest.substr(7) + ".erofs"});
}

TEST_F(RootfsDiskTest, RejectsBadInput) {
  std::vector<std::string> layers = {layer(TarBuilder().file("f", "1").build())};
  EXPECT_EQ(ensure_rootfs_disk(cache_, "sha256:xyz", layers).error().kind,
            ErrorKind::kInvalidArgument);
  EXPECT_EQ(ensure_rootfs_disk(cache_, kManifest, {}).error().kind, ErrorKind::kInvalidArgument);
  Result<std::string> missing = ensure_rootfs_disk(cache_, kManifest, {dir_->path() + "/none"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(os::list_dir(cache_ + "/rootfs").empty());
}

TEST_F(RootfsDiskTest, AKilledBuildLeavesNothingVisibleAndTheNextCallFinishes) {
  std::vector<std::string> layers = two_layers();
  for (std::string step : {"mounted", "built", "rename"}) {
    FaultPoint die = [&](std::string_view at) -> Result<void> {
      if (at == step) os::exit_now(9);
      return {};
    };
    Result<os::ChildProcess> child = os::ChildProcess::fork_and_run(
        [&] { return ensure_rootfs_disk(cache_, kManifest, layers, die) ? 0 : 1; });
    ASSERT_TRUE(child.has_value());
    EXPECT_EQ(child->wait().value().code, 9) << step;
    EXPECT_FALSE(os::path_exists(cache_ + "/rootfs/" + kManifest.substr(7) + ".erofs"));
  }
  Result<std::string> disk = ensure_rootfs_disk(cache_, kManifest, layers);
  ASSERT_TRUE(disk.has_value()) << disk.error().message;
  EXPECT_EQ(os::list_dir(cache_ + "/rootfs"),
            std::vector<std::string>{kManifest.substr(7) + ".erofs"});  // leftovers gone
}

}  // namespace
}  // namespace msb::image
