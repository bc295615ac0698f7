// Disk volumes (`--mount-disk`, Mount::disk) on real sandboxes, on each engine: an ext4
// image made here is mounted read-write and a second one read-only; the guest reads what
// the host put there and writes with its own ids; a second running sandbox cannot take the
// image read-write; after the stop the host reads the guest's files from the image.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "microsandbox/mount.h"
#include "microsandbox/sandbox.h"
#include "microsandbox/volume.h"
#include "os/child_process.h"
#include "os/file.h"
#include "os/io.h"
#include "scoped_env.h"
#include "sdk_test_util.h"
#include "suite_sandbox.h"
#include "test_engine.h"

namespace msb::testing {
namespace {

using microsandbox::ErrorKind;
using microsandbox::ExecOutput;
using microsandbox::Mount;
using microsandbox::Sandbox;

SuiteSandbox& suite() {
  static SuiteSandbox instance;
  return instance;
}

std::string image(const std::string& name) { return suite().scratch->path() + "/" + name; }

// Runs an e2fsprogs tool; its stdout, or "" when it fails.
std::string e2fs(const std::vector<std::string>& argv) {
  os::PipePair out = os::make_pipe().value();
  os::SpawnOptions options;
  options.argv = argv;
  options.fds = {{out.write.get(), 1}};
  os::ChildProcess child = os::ChildProcess::spawn(options).value();
  out.write.reset();
  std::string text = os::read_to_end(out.read.get()).value_or("");
  return child.wait().value().success() ? text : "";
}

// A 32 MiB ext4 image holding /hello.txt ("from the host").
void make_image(const std::string& path) {
  std::string hello = suite().scratch->path() + "/hello.txt";
  ASSERT_TRUE(os::write_file(hello, "from the host\n"));
  ASSERT_TRUE(os::create_sparse_file(path, 32 << 20));
  ASSERT_NE(e2fs({"/usr/sbin/mkfs.ext4", "-q", "-F", path}), "x");
  e2fs({"/usr/sbin/debugfs", "-w", "-R", "write " + hello + " hello.txt", path});
}

class DiskVolumeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    suite().begin("msb-disk-");
    make_image(image("data.img"));
    make_image(image("ro.img"));
    suite().create([] {
      microsandbox::Volume::create(
          "ndisk", {.kind = microsandbox::VolumeKind::kDisk, .size_bytes = 32 << 20});
      return Sandbox::builder("disks")
          .isolation(test_isolation())
          .volume("/data", Mount::disk(image("data.img")))
          .volume("/ro", Mount::disk(image("ro.img")).readonly())
          .volume("/named", Mount::named("ndisk"))
          .create();
    });
  }

  static void TearDownTestSuite() { suite().end(); }

  Sandbox& sandbox() { return *suite().sandbox; }
  void SetUp() override {
    ASSERT_TRUE(suite().sandbox) << "the sandbox was not created: " << suite().setup_error;
  }
};

TEST_F(DiskVolumeTest, TheGuestReadsTheImageAndWritesWithItsOwnIds) {
  ExecOutput out = sandbox().shell(
      "cat /data/hello.txt; echo guest > /data/made; chown 1000:1000 /data/made; "
      "stat -c '%u:%g' /data/made /data/hello.txt; grep ' /data ' /proc/mounts | cut -d' ' -f3");
  ASSERT_EQ(out.exit_code, 0) << out.stderr_data;
  EXPECT_EQ(out.stdout_data, "from the host\n1000:1000\n0:0\next4\n");
}

TEST_F(DiskVolumeTest, ANamedDiskVolumeIsMountedAsADisk) {
  ExecOutput out = sandbox().shell(
      "echo named disk > /named/note; grep ' /named ' /proc/mounts | cut -d' ' -f3");
  ASSERT_EQ(out.exit_code, 0) << out.stderr_data;
  EXPECT_EQ(out.stdout_data, "ext4\n");
}

TEST_F(DiskVolumeTest, AReadOnlyDiskRefusesWrites) {
  ExecOutput out = sandbox().shell("cat /ro/hello.txt; touch /ro/x 2>&1; echo $?");
  EXPECT_NE(out.stdout_data.find("from the host\n"), std::string::npos) << out.stdout_data;
  EXPECT_NE(out.stdout_data.find("Read-only file system"), std::string::npos) << out.stdout_data;
}

TEST_F(DiskVolumeTest, ASecondSandboxCannotTakeTheImageWhileThisOneRuns) {
  microsandbox::Error busy = error_of([] {
    Sandbox::builder("second")
        .isolation(test_isolation())
        .volume("/data", Mount::disk(image("data.img")))
        .create();
  });
  EXPECT_EQ(busy.kind(), ErrorKind::kStillRunning) << busy.what();
  EXPECT_NE(std::string(busy.what()).find("in use by another running sandbox"), std::string::npos);
  EXPECT_EQ(error_of([] { Sandbox::get("second"); }).kind(), ErrorKind::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(suite().home->path() + "/sandboxes/second"));
}

TEST_F(DiskVolumeTest, BadDisksAreRefusedBeforeAnythingIsCreated) {
  auto create = [](const Mount& mount) {
    return error_of(
        [&] { Sandbox::builder("bad").isolation(test_isolation()).volume("/d", mount).create(); });
  };
  EXPECT_EQ(create(Mount::disk(image("missing.img"))).kind(), ErrorKind::kInvalidConfig);
  EXPECT_EQ(create(Mount::disk(suite().scratch->path())).kind(), ErrorKind::kInvalidConfig);
  EXPECT_EQ(create(Mount::disk(image("ro.img")).fstype("xfs")).kind(), ErrorKind::kInvalidConfig);
  EXPECT_EQ(create(Mount::disk(image("ro.img")).format("vmdk")).kind(), ErrorKind::kInvalidConfig);
  if (test_isolation() == "namespace") {
    EXPECT_EQ(create(Mount::disk(image("ro.img")).format("qcow2")).kind(), ErrorKind::kUnsupported);
  }
  EXPECT_FALSE(std::filesystem::exists(suite().home->path() + "/sandboxes/bad"));
}

// Last: stops the sandbox, then reads the image on the host.
TEST_F(DiskVolumeTest, ZAfterTheStopTheHostReadsTheGuestsFile) {
  sandbox().stop_and_wait(std::chrono::seconds(30));
  std::string stat = e2fs({"/usr/sbin/debugfs", "-R", "stat made", image("data.img")});
  EXPECT_NE(stat.find("User:  1000"), std::string::npos) << stat;
  EXPECT_EQ(e2fs({"/usr/sbin/debugfs", "-R", "cat made", image("data.img")}), "guest\n");
  // A named disk volume keeps its files for the next sandbox.
  Sandbox next = Sandbox::builder("next")
                     .isolation(test_isolation())
                     .volume("/again", Mount::named("ndisk"))
                     .create();
  EXPECT_EQ(next.shell("cat /again/note; grep ' /again ' /proc/mounts | cut -d' ' -f3").stdout_data,
            "named disk\next4\n");
  next.stop_and_wait(std::chrono::seconds(30));
  next.remove_persisted();
}

}  // namespace
}  // namespace msb::testing
