#include "engine/guest_kit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "os/file.h"
#include "scoped_env.h"

namespace msb::engine {
namespace {

using ::msb::testing::ScopedEnv;
using ::testing::HasSubstr;

// A private kit directory and $MSB_HOME, with every lookup variable pointed into it.
class GuestKitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-guest-kit-");
    ASSERT_TRUE(dir.has_value());
    dir_.emplace(std::move(*dir));
    ASSERT_TRUE(os::make_dirs(kit()).has_value());
    ASSERT_TRUE(os::make_dirs(home()).has_value());
    touch(kernel());
    touch(kit() + "/initramfs.cpio");
    touch(kit() + "/base.erofs");
    qemu_.emplace("MSB_QEMU", "/bin/true");
    kernel_.emplace("MSB_KERNEL", kernel());
    kit_dir_.emplace("MSB_KIT_DIR", kit());
    home_.emplace("MSB_HOME", home());
  }
  // Destroyed before dir_: restores the environment first.
  void TearDown() override {
    home_.reset();
    kit_dir_.reset();
    kernel_.reset();
    qemu_.reset();
  }

  std::string kit() const { return dir_->path() + "/kit"; }
  std::string home() const { return dir_->path() + "/home"; }
  std::string kernel() const { return dir_->path() + "/vmlinux-custom"; }
  void touch(const std::string& path) { ASSERT_TRUE(os::write_file(path, "x").has_value()); }
  void remove(const std::string& path) { ASSERT_TRUE(os::remove_tree(path).has_value()); }

  std::optional<os::TempDir> dir_;
  std::optional<ScopedEnv> qemu_, kernel_, kit_dir_, home_;
};

TEST_F(GuestKitTest, AllPresentIsFound) {
  Result<GuestKit> kit = locate_guest_kit();
  ASSERT_TRUE(kit.has_value()) << kit.error().message;
  EXPECT_EQ(kit->qemu, "/bin/true");
  EXPECT_EQ(kit->kernel, kernel());
  EXPECT_EQ(kit->initramfs, this->kit() + "/initramfs.cpio");
  EXPECT_EQ(kit->base_image, this->kit() + "/base.erofs");
}

TEST_F(GuestKitTest, KitDirComesFromTheEnvironment) { EXPECT_EQ(kit_dir(), kit()); }

TEST_F(GuestKitTest, KitDirDefaultsNextToTheExecutable) {
  ScopedEnv unset("MSB_KIT_DIR", std::nullopt);
  EXPECT_THAT(kit_dir(), ::testing::EndsWith("/share/microsandbox"));
}

TEST_F(GuestKitTest, MissingQemuIsNotFoundWithAnInstallHint) {
  ScopedEnv qemu("MSB_QEMU", dir_->path() + "/no-such-qemu");
  Result<GuestKit> kit = locate_guest_kit();
  ASSERT_FALSE(kit.has_value());
  EXPECT_EQ(kit.error().kind, ErrorKind::kNotFound);
  EXPECT_THAT(kit.error().message, HasSubstr("apt-get install qemu-system-x86"));
  EXPECT_THAT(kit.error().message, HasSubstr("no-such-qemu"));
}

TEST_F(GuestKitTest, QemuIsLookedUpOnThePath) {
  ScopedEnv qemu("MSB_QEMU", "true");
  Result<GuestKit> kit = locate_guest_kit();
  ASSERT_TRUE(kit.has_value()) << kit.error().message;
  EXPECT_THAT(kit->qemu, ::testing::EndsWith("/true"));
}

TEST_F(GuestKitTest, MissingKernelFromTheEnvironmentNamesThePath) {
  std::string missing = dir_->path() + "/no-vmlinux";
  ScopedEnv kernel("MSB_KERNEL", missing);
  Result<GuestKit> kit = locate_guest_kit();
  ASSERT_FALSE(kit.has_value());
  EXPECT_EQ(kit.error().kind, ErrorKind::kNotFound);
  EXPECT_THAT(kit.error().message, HasSubstr(missing));
  EXPECT_THAT(kit.error().message, HasSubstr("guest/kernel/build.sh"));
}

TEST_F(GuestKitTest, KernelDefaultsToTheKitThenTheCache) {
  ScopedEnv kernel("MSB_KERNEL", std::nullopt);
  Result<GuestKit> kit = locate_guest_kit();
  ASSERT_FALSE(kit.has_value());
  EXPECT_EQ(kit.error().kind, ErrorKind::kNotFound);
  EXPECT_THAT(kit.error().message, HasSubstr(home() + "/kernel/"));
  touch(this->kit() + "/vmlinux");
  kit = locate_guest_kit();
  ASSERT_TRUE(kit.has_value()) << kit.error().message;
  EXPECT_EQ(kit->kernel, this->kit() + "/vmlinux");
}

TEST_F(GuestKitTest, KernelThatIsADirectoryIsMissing) {
  ScopedEnv kernel("MSB_KERNEL", dir_->path());
  Result<GuestKit> kit = locate_guest_kit();
  ASSERT_FALSE(kit.has_value());
  EXPECT_EQ(kit.error().kind, ErrorKind::kNotFound);
}

TEST_F(GuestKitTest, MissingInitramfsNamesIt) {
  remove(kit() + "/initramfs.cpio");
  Result<GuestKit> kit = locate_guest_kit();
  ASSERT_FALSE(kit.has_value());
  EXPECT_EQ(kit.error().kind, ErrorKind::kNotFound);
  EXPECT_THAT(kit.error().message, HasSubstr(this->kit() + "/initramfs.cpio"));
  EXPECT_THAT(kit.error().message, HasSubstr("MSB_KIT_DIR"));
}

TEST_F(GuestKitTest, MissingBaseImageNamesIt) {
  remove(kit() + "/base.erofs");
  Result<GuestKit> kit = locate_guest_kit();
  ASSERT_FALSE(kit.has_value());
  EXPECT_EQ(kit.error().kind, ErrorKind::kNotFound);
  EXPECT_THAT(kit.error().message, HasSubstr(this->kit() + "/base.erofs"));
}

}  // namespace
}  // namespace msb::engine
