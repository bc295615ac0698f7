// A user's own root instead of an image (`msb run /path`, SandboxBuilder::rootfs_dir and
// rootfs_image), on each engine: the root is read-only under the sandbox's writable layer,
// so the guest's writes stay in the sandbox and the host's directory or image is never
// changed. The roots are made here from the build's base image tree.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "microsandbox/sandbox.h"
#include "microsandbox/snapshot.h"
#include "os/child_process.h"
#include "os/file.h"
#include "scoped_env.h"
#include "sdk_test_util.h"
#include "test_engine.h"

namespace msb::testing {
namespace {

using microsandbox::ErrorKind;
using microsandbox::ExecOutput;
using microsandbox::Sandbox;

// The namespace engine's base image tree, in the guest kit next to this binary.
std::string base_tree() {
  return (std::filesystem::canonical("/proc/self/exe").parent_path().parent_path() /
          "share/microsandbox/base")
      .string();
}

std::string read_all(const std::string& path) { return os::read_file(path).value_or(""); }

class RootfsSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = std::make_unique<os::TempDir>(*os::TempDir::create("msb-rootfs-home-"));
    home_env_ = std::make_unique<ScopedEnv>("MSB_HOME", home_->path());
    scratch_ = std::make_unique<os::TempDir>(*os::TempDir::create("msb-rootfs-"));
    root_ = scratch_->path() + "/root";
    ASSERT_TRUE(std::filesystem::is_directory(base_tree())) << base_tree();
    std::filesystem::copy(
        base_tree(), root_,
        std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks);
    std::ofstream(root_ + "/etc/marker") << "my own root\n";
  }
  void TearDown() override { remove_all_sandboxes(); }
  // An ext4 image of the root tree (mkfs.ext4 -d).
  std::string make_image() {
    std::string image = scratch_->path() + "/root.ext4";
    os::SpawnOptions options;
    options.argv = {"/usr/sbin/mkfs.ext4", "-q", "-F", "-d", root_, image, "64M"};
    os::ChildProcess mkfs = os::ChildProcess::spawn(options).value();
    EXPECT_TRUE(mkfs.wait().value().success());
    return image;
  }

  std::unique_ptr<os::TempDir> home_;
  std::unique_ptr<ScopedEnv> home_env_;
  std::unique_ptr<os::TempDir> scratch_;
  std::string root_;
};

TEST_F(RootfsSourceTest, AHostDirectoryIsTheRootAndStaysUnchanged) {
  Sandbox sandbox = Sandbox::builder("dir").isolation(test_isolation()).rootfs_dir(root_).create();
  ExecOutput out = sandbox.shell(
      "cat /etc/marker; echo guest > /newfile; rm /etc/marker; "
      "test -e /etc/marker || echo removed");
  ASSERT_EQ(out.exit_code, 0) << out.stderr_data;
  EXPECT_EQ(out.stdout_data, "my own root\nremoved\n");
  EXPECT_FALSE(std::filesystem::exists(root_ + "/newfile"));
  EXPECT_EQ(read_all(root_ + "/etc/marker"), "my own root\n");
  EXPECT_EQ(Sandbox::get("dir").image, root_);
  // The sandbox's writes survive its restart; what the host changed meanwhile shows.
  sandbox.stop_and_wait(std::chrono::seconds(30));
  std::ofstream(root_ + "/etc/added") << "added on the host\n";
  Sandbox again = Sandbox::start("dir");
  EXPECT_EQ(again.shell("cat /newfile /etc/added").stdout_data, "guest\nadded on the host\n");
  // A snapshot carries an image root only.
  again.stop_and_wait(std::chrono::seconds(30));
  EXPECT_EQ(error_of([] { microsandbox::Snapshot::create("s", "dir"); }).kind(),
            ErrorKind::kUnsupported);
}

TEST_F(RootfsSourceTest, ADiskImageIsTheRootAndStaysUnchanged) {
  std::string image = make_image();
  std::string before = read_all(image);
  Sandbox sandbox =
      Sandbox::builder("img").isolation(test_isolation()).rootfs_image(image).create();
  ExecOutput out = sandbox.shell("cat /etc/marker; echo guest > /etc/marker; cat /etc/marker");
  ASSERT_EQ(out.exit_code, 0) << out.stderr_data;
  EXPECT_EQ(out.stdout_data, "my own root\nguest\n");
  sandbox.stop_and_wait(std::chrono::seconds(30));
  EXPECT_TRUE(read_all(image) == before) << "the root image was written";
}

TEST_F(RootfsSourceTest, BadRootsAreRefusedBeforeAnythingIsCreated) {
  auto create = [](std::function<void(microsandbox::SandboxBuilder&)> set) {
    return error_of([&] {
      microsandbox::SandboxBuilder builder = Sandbox::builder("bad");
      builder.isolation(test_isolation());
      set(builder);
      builder.create();
    });
  };
  EXPECT_EQ(create([&](auto& b) { b.rootfs_image(scratch_->path() + "/missing.img"); }).kind(),
            ErrorKind::kInvalidConfig);
  EXPECT_EQ(create([&](auto& b) { b.rootfs_dir(scratch_->path() + "/missing"); }).kind(),
            ErrorKind::kInvalidConfig);
  EXPECT_EQ(create([&](auto& b) { b.rootfs_image(root_ + "/etc/marker", "ntfs"); }).kind(),
            ErrorKind::kInvalidConfig);
  if (test_isolation() == "vm") {
    EXPECT_EQ(create([&](auto& b) { b.rootfs_image(root_ + "/etc/marker", "xfs"); }).kind(),
              ErrorKind::kUnsupported);
  }
  EXPECT_FALSE(std::filesystem::exists(home_->path() + "/sandboxes/bad"));
}

}  // namespace
}  // namespace msb::testing
