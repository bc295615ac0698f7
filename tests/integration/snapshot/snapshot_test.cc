// Disk snapshots through the public SDK on real sandboxes, on each engine: a prepared
// sandbox is snapshotted and three sandboxes start from it, each with the files and its own
// writes; save/load round trips into a fresh $MSB_HOME, with and without the image; a
// damaged layer is caught. Each test has its own $MSB_HOME.
#include "microsandbox/snapshot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "microsandbox/sandbox.h"
#include "os/file.h"
#include "scoped_env.h"
#include "sdk_test_util.h"
#include "shared_registry.h"
#include "test_engine.h"

namespace msb::testing {
namespace {

using microsandbox::ErrorKind;
using microsandbox::Sandbox;
using microsandbox::Snapshot;
using ::testing::HasSubstr;

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override { use_home(); }
  void TearDown() override {
    remove_all_sandboxes();
    home_env_.reset();
    homes_.clear();
  }
  // Switches to a fresh $MSB_HOME (the previous one stays until the test ends).
  void use_home() {
    if (!homes_.empty()) remove_all_sandboxes();
    home_env_.reset();
    homes_.push_back(std::make_unique<os::TempDir>(*os::TempDir::create("msb-snapshot-")));
    home_env_ = std::make_unique<ScopedEnv>("MSB_HOME", homes_.back()->path());
  }
  const std::string& home() const { return homes_.back()->path(); }
  std::string scratch(const std::string& name) const { return homes_.front()->path() + "/" + name; }

  // A stopped sandbox `name` whose layer holds a file, a hard link, and a deletion.
  void prepare(const std::string& name, const std::string& image = "base") {
    Sandbox sandbox = Sandbox::builder(name).image(image).isolation(test_isolation()).create();
    microsandbox::ExecOutput out = sandbox.shell(
        "mkdir -p /srv/app && echo prepared > /srv/app/state && "
        "ln /srv/app/state /srv/app/again && rm -f /bin/vi");
    ASSERT_EQ(out.exit_code, 0) << out.stderr_data;
    sandbox.stop_and_wait(std::chrono::seconds(30));
  }

  std::vector<std::unique_ptr<os::TempDir>> homes_;
  std::unique_ptr<ScopedEnv> home_env_;
};

TEST_F(SnapshotTest, ThreeSandboxesStartFromOneSnapshotAndWriteIndependently) {
  prepare("builder");
  Snapshot snapshot = Snapshot::create("prepared", "builder");
  EXPECT_EQ(snapshot.info().engine, test_isolation());
  EXPECT_EQ(snapshot.info().source_sandbox, "builder");
  EXPECT_EQ(snapshot.info().image, "base");
  EXPECT_TRUE(snapshot.verify().ok());
  ASSERT_EQ(Snapshot::list().size(), 1u);

  std::vector<Sandbox> workers;
  for (int i = 0; i < 3; ++i) {
    // The engine comes from the snapshot: no isolation() here.
    workers.push_back(
        Sandbox::builder("worker-" + std::to_string(i)).from_snapshot("prepared").create());
    microsandbox::ExecOutput out = workers.back().shell(
        "cat /srv/app/state; stat -c %h /srv/app/again; test -e /bin/vi || echo vi-gone; "
        "echo mine-" +
        std::to_string(i) + " > /srv/app/own; ls /srv/app | tr '\\n' ' '");
    ASSERT_EQ(out.exit_code, 0) << out.stderr_data;
    EXPECT_EQ(out.stdout_data, "prepared\n2\nvi-gone\nagain own state ");
  }
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(workers[i].shell("cat /srv/app/own").stdout_data, "mine-" + std::to_string(i) + "\n");
  for (Sandbox& worker : workers) worker.stop_and_wait(std::chrono::seconds(30));
  // The snapshot itself is unchanged by its sandboxes' writes.
  EXPECT_TRUE(Snapshot::get("prepared").verify().ok());
  Sandbox builder = Sandbox::start("builder");
  EXPECT_EQ(builder.shell("test -e /srv/app/own && echo leaked || echo clean").stdout_data,
            "clean\n");

  // Rules: a running sandbox, a taken name, a bad name, an unknown snapshot.
  EXPECT_EQ(error_of([] { Snapshot::create("again", "builder"); }).kind(),
            ErrorKind::kStillRunning);
  builder.stop_and_wait(std::chrono::seconds(30));
  EXPECT_EQ(error_of([] { Snapshot::create("prepared", "builder"); }).kind(),
            ErrorKind::kAlreadyExists);
  EXPECT_EQ(error_of([] { Snapshot::create("../x", "builder"); }).kind(),
            ErrorKind::kInvalidConfig);
  EXPECT_EQ(error_of([] { Sandbox::builder("w").from_snapshot("none").create(); }).kind(),
            ErrorKind::kNotFound);
  std::string other = test_isolation() == "vm" ? "namespace" : "vm";
  microsandbox::Error mismatch =
      error_of([&] { Sandbox::builder("w").from_snapshot("prepared").isolation(other).create(); });
  EXPECT_EQ(mismatch.kind(), ErrorKind::kInvalidConfig);
  EXPECT_THAT(mismatch.what(), HasSubstr("isolation " + test_isolation()));
  EXPECT_FALSE(std::filesystem::exists(home() + "/sandboxes/w"));
}

TEST_F(SnapshotTest, AFlippedByteIsCaughtByVerifyAndByCreate) {
  prepare("builder");
  Snapshot snapshot = Snapshot::create("prepared", "builder");
  std::string artifact =
      snapshot.info().path + "/" + (test_isolation() == "vm" ? "upper.ext4" : "upper.tar");
  {
    // A byte of data: the vm disk's superblock, the tar's first header.
    std::fstream file(artifact, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(1024 + 100);
    char byte = 0;
    file.read(&byte, 1);
    file.seekp(1024 + 100);
    byte = static_cast<char>(byte ^ 1);
    file.write(&byte, 1);
  }
  microsandbox::SnapshotVerification check = snapshot.verify();
  EXPECT_FALSE(check.ok());
  EXPECT_NE(check.actual, check.expected);
  microsandbox::Error damaged =
      error_of([] { Sandbox::builder("w").from_snapshot("prepared").create(); });
  EXPECT_EQ(damaged.kind(), ErrorKind::kIntegrity) << damaged.what();
  EXPECT_FALSE(std::filesystem::exists(home() + "/sandboxes/w"));
  EXPECT_EQ(error_of([&] { snapshot.save(scratch("damaged.tar")); }).kind(), ErrorKind::kIntegrity);
  Snapshot::remove("prepared");
  EXPECT_FALSE(std::filesystem::exists(snapshot.info().path));
  EXPECT_TRUE(Snapshot::list().empty());
}

TEST_F(SnapshotTest, SaveAndLoadRoundTripIntoAFreshHomeWithTheImage) {
  std::string image = shared_registry().plain_host() + "/busybox:latest";
  prepare("builder", image);
  Snapshot snapshot = Snapshot::create("prepared", "builder");
  EXPECT_EQ(snapshot.info().image, image);
  EXPECT_EQ(snapshot.info().manifest_digest.rfind("sha256:", 0), 0u);
  snapshot.save(scratch("with-image.tar"), /*with_image=*/true);
  snapshot.save(scratch("layer-only.tar"));
  // An image a snapshot needs is not removed or pruned.
  EXPECT_EQ(error_of([&] { microsandbox::Image::remove(image); }).kind(), ErrorKind::kImageInUse);

  use_home();
  Snapshot layer_only = Snapshot::load(scratch("layer-only.tar"));
  EXPECT_EQ(layer_only.info().digest, snapshot.info().digest);
  microsandbox::Error missing =
      error_of([] { Sandbox::builder("w").from_snapshot("prepared").create(); });
  EXPECT_EQ(missing.kind(), ErrorKind::kImageNotFound);
  EXPECT_THAT(missing.what(), HasSubstr("msb pull "));
  EXPECT_THAT(missing.what(), HasSubstr("--with-image"));
  EXPECT_EQ(error_of([&] { Snapshot::load(scratch("layer-only.tar")); }).kind(),
            ErrorKind::kAlreadyExists);
  Snapshot::remove("prepared");

  Snapshot loaded = Snapshot::load(scratch("with-image.tar"));
  EXPECT_EQ(loaded.info().manifest_digest, snapshot.info().manifest_digest);
  Sandbox worker = Sandbox::builder("w").from_snapshot("prepared").create();
  EXPECT_EQ(worker.shell("cat /srv/app/state").stdout_data, "prepared\n");
  EXPECT_EQ(Sandbox::get("w").image, image);
}

TEST_F(SnapshotTest, RootDisksCarryOverAndTmpfsRootsHaveNothingToSnapshot) {
  Sandbox::builder("volatile")
      .isolation(test_isolation())
      .root_disk_tmpfs(64ULL << 20)
      .create()
      .stop_and_wait(std::chrono::seconds(30));
  microsandbox::Error nothing = error_of([] { Snapshot::create("s", "volatile"); });
  EXPECT_EQ(nothing.kind(), ErrorKind::kUnsupported) << nothing.what();
  prepare("builder");
  Snapshot::create("s", "builder");
  EXPECT_EQ(error_of([] {
              Sandbox::builder("w").from_snapshot("s").root_disk_tmpfs(64ULL << 20).create();
            }).kind(),
            ErrorKind::kInvalidConfig);
  if (test_isolation() != "vm") return;  // a namespace root layer has no size
  Sandbox small = Sandbox::builder("small").root_disk(256ULL << 20).isolation("vm").create();
  small.shell("echo kept > /root/kept");
  small.stop_and_wait(std::chrono::seconds(30));
  Snapshot::create("small-snap", "small");
  Sandbox worker = Sandbox::builder("w").from_snapshot("small-snap").create();
  microsandbox::ExecOutput out =
      worker.shell("cat /root/kept; df -k / | tail -1 | awk '{print $2}'");
  ASSERT_EQ(out.exit_code, 0) << out.stderr_data;
  EXPECT_EQ(out.stdout_data.substr(0, 5), "kept\n");
  uint64_t kib = std::stoull(out.stdout_data.substr(5));
  EXPECT_GT(kib, 200u * 1024) << "the snapshot's 256 MiB disk";
  EXPECT_LE(kib, 256u * 1024);
}

TEST_F(SnapshotTest, ArchivesThatAreNotSnapshotsAreRefused) {
  std::string path = scratch("garbage.tar");
  std::ofstream(path) << std::string(4096, 'x');
  EXPECT_EQ(error_of([&] { Snapshot::load(path); }).kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(error_of([&] { Snapshot::load(scratch("none.tar")); }).kind(), ErrorKind::kNotFound);
  EXPECT_TRUE(Snapshot::list().empty());
  EXPECT_TRUE(os::list_dir(home() + "/snapshots/.staging").empty());
}

}  // namespace
}  // namespace msb::testing
