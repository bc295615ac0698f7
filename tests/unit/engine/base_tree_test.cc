#include "engine/ns/base_tree.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "image/tree_archive.h"
#include "os/file.h"
#include "os/fs_calls.h"
#include "scoped_env.h"

namespace msb::engine::ns {
namespace {

using ::msb::testing::ScopedEnv;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The entries of `dir` but its lock file.
long entries(const std::string& dir) {
  std::error_code ec;
  long count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().filename() != ".lock") ++count;
  return count;
}

class BaseTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-base-tree-");
    ASSERT_TRUE(dir.has_value());
    dir_.emplace(std::move(*dir));
    ASSERT_TRUE(os::make_dirs(kit()));
    home_.emplace("MSB_HOME", dir_->path() + "/home");
  }
  void TearDown() override { home_.reset(); }
  std::string kit() const { return dir_->path() + "/kit"; }
  // A small base tree at `root`: bin/busybox and an applet link to it.
  void make_tree(const std::string& root) {
    ASSERT_TRUE(os::make_dirs(root + "/bin"));
    ASSERT_TRUE(os::write_file(root + "/bin/busybox", "#!/bin/true\n", 0755));
    ASSERT_TRUE(os::symlink_at("/bin/busybox", AT_FDCWD, root + "/bin/sh"));
  }
  // The kit's base.tar, as the build makes it: archived from a tree owned by this user.
  void make_archive() {
    make_tree(dir_->path() + "/source");
    image::TreeIds ids{static_cast<uint32_t>(::getuid()), static_cast<uint32_t>(::getgid()), 1};
    ASSERT_TRUE(image::write_tree_archive(dir_->path() + "/source", kit() + "/base.tar", ids));
  }

  std::optional<os::TempDir> dir_;
  std::optional<ScopedEnv> home_;
};

TEST_F(BaseTreeTest, ABuildTreesKitHasTheTreeItself) {
  make_tree(kit() + "/base");
  Result<std::string> root = base_tree_root(kit());
  ASSERT_TRUE(root) << root.error().message;
  EXPECT_EQ(*root, kit() + "/base");
}

TEST_F(BaseTreeTest, AnInstalledKitsArchiveIsUnpackedOnceIntoTheCache) {
  if (::getuid() != 0) GTEST_SKIP() << "the tree is unpacked as host root's";
  make_archive();
  Result<std::string> root = base_tree_root(kit());
  ASSERT_TRUE(root) << root.error().message;
  EXPECT_THAT(*root, StartsWith(dir_->path() + "/home/cache/base/"));
  EXPECT_EQ(std::filesystem::read_symlink(*root + "/bin/sh"), "/bin/busybox");
  EXPECT_EQ(os::read_file(*root + "/bin/busybox").value_or(""), "#!/bin/true\n");
  // The second time it is there already; nothing is left half-done beside it.
  ASSERT_TRUE(os::write_file(*root + "/marker", "kept"));
  EXPECT_EQ(base_tree_root(kit()).value_or(""), *root);
  EXPECT_TRUE(os::path_exists(*root + "/marker"));
  EXPECT_EQ(entries(dir_->path() + "/home/cache/base"), 1);
}

TEST_F(BaseTreeTest, ThreadsUnpackingAtOnceShareOneTree) {
  if (::getuid() != 0) GTEST_SKIP() << "the tree is unpacked as host root's";
  make_archive();
  std::vector<std::string> roots(8);
  std::vector<std::thread> threads;
  for (std::string& root : roots)
    threads.emplace_back([&] { root = base_tree_root(kit()).value_or("failed"); });
  for (std::thread& thread : threads) thread.join();
  for (const std::string& root : roots) {
    EXPECT_EQ(root, roots.front());
    EXPECT_EQ(os::read_file(root + "/bin/busybox").value_or(""), "#!/bin/true\n");
  }
  EXPECT_EQ(entries(dir_->path() + "/home/cache/base"), 1);  // no staging left
}

TEST_F(BaseTreeTest, AKitWithNeitherNamesBoth) {
  Result<std::string> root = base_tree_root(kit());
  ASSERT_FALSE(root);
  EXPECT_EQ(root.error().kind, ErrorKind::kNotFound);
  EXPECT_THAT(root.error().message, HasSubstr("base.tar"));
}

TEST_F(BaseTreeTest, AHostileArchiveIsRefusedAndLeavesNothing) {
  if (::getuid() != 0) GTEST_SKIP() << "the tree is unpacked as host root's";
  // An id outside the range the tree may hold stands for any entry the reader refuses.
  make_tree(dir_->path() + "/source");
  ASSERT_TRUE(os::chown_at(AT_FDCWD, dir_->path() + "/source/bin/busybox", 70000, 70000, false));
  image::TreeIds wide{0, 0, 100000};
  ASSERT_TRUE(image::write_tree_archive(dir_->path() + "/source", kit() + "/base.tar", wide));
  Result<std::string> root = base_tree_root(kit());
  ASSERT_FALSE(root);
  EXPECT_THAT(root.error().message, HasSubstr("unpack"));
  EXPECT_EQ(entries(dir_->path() + "/home/cache/base"), 0);
}

}  // namespace
}  // namespace msb::engine::ns
