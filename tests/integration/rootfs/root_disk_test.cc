// Root disk sizes on real sandboxes: a sized vm disk as the guest sees it, growing it with
// `msb modify` while the sandbox is stopped, and a tmpfs root on each engine. Each test
// boots its own sandbox (under TCG a vm boot costs seconds: the tests are few), all under
// the suite's own $MSB_HOME.
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

struct Msb {
  int code = -1;
  std::string err;
};

// The msb binary, against the suite's $MSB_HOME (inherited from this process).
Msb run_msb(std::vector<std::string> args) {
  Result<os::PipePair> errors = os::make_pipe();
  if (!errors) return {};
  os::SpawnOptions options;
  options.argv = {MSB_BIN};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.fds = {{errors->write.get(), 2}};
  Result<os::ChildProcess> child = os::ChildProcess::spawn(options);
  if (!child) return {-1, child.error().message};
  errors->write.reset();
  Msb result;
  result.err = os::read_to_end(errors->read.get()).value_or("");
  Result<os::ExitStatus> status = child->wait();
  result.code = status ? status->shell_code() : -1;
  return result;
}

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

TEST_F(RootDiskTest, SizedDiskGrowsWhileStoppedAndKeepsItsFiles) {
  MSB_SKIP_UNLESS_VM_ENGINE("the namespace engine's root is a host directory without a size");
  {
    Sandbox sandbox = create(Sandbox::builder("sized").root_disk(256 * kMiB), "sized");
    uint64_t size = root_size_mib(sandbox);
    EXPECT_GE(size, 200u);  // ext4's metadata takes some of it
    EXPECT_LE(size, 256u);
    ASSERT_TRUE(sandbox.shell("echo kept > /keep && sync").success());
    Msb running = run_msb({"modify", "sized", "--root-disk", "512M"});
    EXPECT_NE(running.code, 0);
    EXPECT_THAT(running.err, HasSubstr("stop it first"));
    sandbox.stop_and_wait(std::chrono::seconds(30));
  }
  Msb shrink = run_msb({"modify", "sized", "--root-disk", "128M"});
  EXPECT_NE(shrink.code, 0);
  EXPECT_THAT(shrink.err, HasSubstr("cannot shrink the root disk of sandbox 'sized' from 256 MiB "
                                    "to 128 MiB"));
  Msb grow = run_msb({"mod", "sized", "--root-disk", "512M"});
  ASSERT_EQ(grow.code, 0) << grow.err;
  Sandbox again = Sandbox::start("sized");
  uint64_t size = root_size_mib(again);
  EXPECT_GE(size, 450u);
  EXPECT_LE(size, 512u);
  EXPECT_EQ(again.shell("cat /keep").stdout_data, "kept\n");
  again.stop_and_wait(std::chrono::seconds(30));
}

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
  Msb modify = run_msb({"modify", "nosize", "--root-disk", "1G"});
  EXPECT_NE(modify.code, 0);
  EXPECT_THAT(modify.err, HasSubstr("not found"));
}

}  // namespace
}  // namespace msb::testing
