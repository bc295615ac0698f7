// Root disks on real sandboxes: a tmpfs root on each engine, and the namespace engine's
// refusal of a disk size. Each test boots its own sandbox (under TCG a vm boot costs
// seconds: the tests are few), all under the test's own $MSB_HOME.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "microsandbox/sandbox.h"
#include "os/child_process.h"
#include "os/file.h"
#include "os/io.h"
#include "scoped_env.h"
#include "sdk_test_util.h"
#include "test_engine.h"

namespace msb::testing {
namespace {

using microsandbox::ErrorKind;
using microsandbox::ExecOutput;
using microsandbox::Sandbox;
using ::testing::HasSubstr;

constexpr uint64_t kMiB = uint64_t{1} << 20;

// The size of the guest's "/" in MiB, as df sees it (the overlay reports its upper layer's
// filesystem).
uint64_t root_size_mib(Sandbox& sandbox) {
  ExecOutput out = sandbox.shell("df -Pk / | tail -n 1 | awk '{print $2}'");
  EXPECT_TRUE(out.success()) << out.stderr_data;
  return std::stoull("0" + out.stdout_data) / 1024;
}

class RootDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = std::make_unique<os::TempDir>(std::move(*os::TempDir::create("msb-rootdisk-home-")));
    home_env_ = std::make_unique<ScopedEnv>("MSB_HOME", home_->path());
  }
  void TearDown() override {
    for (const std::string& name : created_) {
      try {
        Sandbox::connect(name).stop_and_wait(std::chrono::seconds(30));
        Sandbox::remove(name);
      } catch (const microsandbox::Error& error) {
        if (error.kind() != ErrorKind::kNotFound) ADD_FAILURE() << name << ": " << error.what();
      }
    }
    home_env_.reset();
    home_.reset();
  }
  Sandbox create(microsandbox::SandboxBuilder& builder, const std::string& name) {
    created_.push_back(name);
    return builder.isolation(test_isolation()).create();
  }

  std::unique_ptr<os::TempDir> home_;
  std::unique_ptr<ScopedEnv> home_env_;
  std::vector<std::string> created_;
};

TEST_F(RootDiskTest, TmpfsRootIsBoundedAndEmptyAtEveryStart) {
  {
    Sandbox sandbox = create(Sandbox::builder("tmproot").root_disk_tmpfs(32 * kMiB), "tmproot");
    uint64_t size = root_size_mib(sandbox);
    EXPECT_GE(size, 31u);
    EXPECT_LE(size, 32u);
    ASSERT_TRUE(sandbox.shell("echo gone > /scratch-file").success());
    ExecOutput full = sandbox.shell("dd if=/dev/zero of=/big bs=1M count=40");
    EXPECT_FALSE(full.success());
    EXPECT_THAT(full.stderr_data, HasSubstr("No space left on device"));
    sandbox.stop_and_wait(std::chrono::seconds(30));
  }
  Sandbox again = Sandbox::start("tmproot");
  EXPECT_EQ(again.shell("ls /scratch-file /big 2>&1; true").stdout_data.find("gone"),
            std::string::npos);
  EXPECT_FALSE(again.shell("test -e /scratch-file").success());
  EXPECT_FALSE(again.shell("test -e /big").success());
  again.stop_and_wait(std::chrono::seconds(30));
}

TEST_F(RootDiskTest, NamespaceEngineRefusesADiskSizeBeforeCreatingAnything) {
  if (on_vm_engine()) GTEST_SKIP() << "namespace engine only: the vm engine takes a size";
  microsandbox::Error error = error_of(
      [&] { (void)create(Sandbox::builder("nosize").root_disk(uint64_t{1} << 30), "nosize"); });
  EXPECT_EQ(error.kind(), ErrorKind::kUnsupported);
  EXPECT_THAT(std::string(error.what()), HasSubstr("cannot be limited to 1 GiB"));
  EXPECT_EQ(error_of([] { (void)Sandbox::get("nosize"); }).kind(), ErrorKind::kNotFound);
  EXPECT_FALSE(os::path_exists(home_->path() + "/sandboxes/nosize"));
}

}  // namespace
}  // namespace msb::testing
