// Volumes on real sandboxes, on each engine: host directories and files bound read-write,
// read-only and noexec, a tmpfs, and containment against a hostile guest. One sandbox per
// suite (booting under TCG takes seconds), under the suite's own $MSB_HOME; the host side
// lives in a scratch directory removed with the suite.
#include "microsandbox/volume.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "microsandbox/sandbox.h"
#include "os/file.h"
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

constexpr uid_t kOwnerUid = 1000;
constexpr gid_t kOwnerGid = 1000;
constexpr const char* kCanary = "canary: untouched\n";

std::string read_host(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_host(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

SuiteSandbox& suite() {
  static SuiteSandbox instance;
  return instance;
}

// The host side: <scratch>/outside holds a canary next to the volume directories, so that
// an escape from a volume would find it one level up.
std::string host(const std::string& relative) { return suite().scratch->path() + "/" + relative; }

class VolumeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SuiteSandbox& s = suite();
    s.begin("msb-vol-");
    ::chmod(s.scratch->path().c_str(), 0755);
    for (const char* dir : {"outside", "outside/rw", "outside/ro", "outside/nx", "files"})
      std::filesystem::create_directories(host(dir));
    write_host(host("outside/canary"), kCanary);
    write_host(host("outside/ro/kept"), "read-only data\n");
    write_host(host("outside/rw/from-host"), "written on the host\n");
    write_host(host("files/app.conf"), "setting=1\n");
    write_host(host("files/sibling-secret"), "SIBLING-SECRET\n");
    // A volume owned by an ordinary user: the guest's root writes as that user.
    ::chown(host("outside/rw").c_str(), kOwnerUid, kOwnerGid);
    ::chown(host("outside/rw/from-host").c_str(), kOwnerUid, kOwnerGid);
    // Symlinks planted in the volume pointing out of it: the guest resolves them in its own
    // root, never on the host.
    std::filesystem::create_symlink(host("outside/canary"), host("outside/rw/absolute-out"));
    std::filesystem::create_symlink("../canary", host("outside/rw/relative-out"));
    s.create([] {
      return Sandbox::builder("volumes")
          .isolation(test_isolation())
          .volume("/data", Mount::bind(host("outside/rw")))
          .volume("/data/ro", Mount::bind(host("outside/ro")).readonly())
          .volume("/nx", Mount::bind(host("outside/nx")).noexec())
          .volume("/etc/app.conf", Mount::bind(host("files/app.conf")))
          .volume("/scratch", Mount::tmpfs(8))
          .create();
    });
  }

  static void TearDownTestSuite() {
    suite().stop_sandbox();
    // Nothing the guest did may have reached past the volumes.
    EXPECT_EQ(read_host(host("outside/canary")), kCanary);
    EXPECT_FALSE(std::filesystem::exists("/pwned"));
    suite().end();
  }

  void SetUp() override {
    if (!suite().sandbox) FAIL() << "the sandbox was not created: " << suite().setup_error;
  }

  static ExecOutput sh(const std::string& script) { return suite().sandbox->shell(script); }
};

TEST_F(VolumeTest, TheGuestSeesTheHostsFilesAndItsWritesBelongToTheOwner) {
  ExecOutput out =
      sh("cat /data/from-host && echo guest > /data/made-by-guest && mkdir /data/dir-by-guest && "
         "stat -c '%u:%g' /data /data/from-host");
  ASSERT_EQ(out.exit_code, 0) << out.stderr_data;
  EXPECT_EQ(out.stdout_data, "written on the host\n0:0\n0:0\n");
  struct stat file {};
  ASSERT_EQ(::stat(host("outside/rw/made-by-guest").c_str(), &file), 0);
  EXPECT_EQ(file.st_uid, kOwnerUid);
  EXPECT_EQ(file.st_gid, kOwnerGid);
  struct stat dir {};
  ASSERT_EQ(::stat(host("outside/rw/dir-by-guest").c_str(), &dir), 0);
  EXPECT_EQ(dir.st_uid, kOwnerUid);
  EXPECT_EQ(read_host(host("outside/rw/made-by-guest")), "guest\n");
}

TEST_F(VolumeTest, AReadOnlyVolumeRefusesWritesWithErofs) {
  ExecOutput out = sh("cat /data/ro/kept; echo x > /data/ro/new; echo x >> /data/ro/kept");
  EXPECT_EQ(out.stdout_data, "read-only data\n");
  EXPECT_NE(out.stderr_data.find("Read-only file system"), std::string::npos) << out.stderr_data;
  EXPECT_FALSE(std::filesystem::exists(host("outside/ro/new")));
  EXPECT_EQ(read_host(host("outside/ro/kept")), "read-only data\n");
}

TEST_F(VolumeTest, ANoexecVolumeRefusesToRunPrograms) {
  ExecOutput out = sh("cp /bin/busybox /nx/tool && /nx/tool true; echo \"status $?\"");
  EXPECT_NE(out.stdout_data.find("status 126"), std::string::npos)
      << out.stdout_data << out.stderr_data;
  EXPECT_EQ(sh("/bin/busybox true; echo \"status $?\"").stdout_data, "status 0\n");
}

TEST_F(VolumeTest, AFileVolumeShowsThatFileAndNoSibling) {
  ExecOutput out =
      sh("cat /etc/app.conf && echo setting=2 >> /etc/app.conf && "
         "ls /etc | grep -c sibling; grep -rl SIBLING-SECRET /etc /root /tmp; true");
  EXPECT_EQ(out.stdout_data, "setting=1\n0\n");
  EXPECT_EQ(read_host(host("files/app.conf")), "setting=1\nsetting=2\n");
}

TEST_F(VolumeTest, EveryVolumeIsNosuidAndNodevAndTheTmpfsHasItsSize) {
  ExecOutput mounts = sh("grep -E ' /(data|data/ro|nx|etc/app.conf|scratch) ' /proc/mounts");
  int lines = 0;
  for (size_t at = 0; (at = mounts.stdout_data.find('\n', at)) != std::string::npos; ++at) ++lines;
  EXPECT_EQ(lines, 5) << mounts.stdout_data;
  size_t start = 0;
  for (size_t end; (end = mounts.stdout_data.find('\n', start)) != std::string::npos;
       start = end + 1) {
    std::string line = mounts.stdout_data.substr(start, end - start);
    EXPECT_NE(line.find("nosuid"), std::string::npos) << line;
    EXPECT_NE(line.find("nodev"), std::string::npos) << line;
  }
  ExecOutput full =
      sh("dd if=/dev/zero of=/scratch/fill bs=1M count=16 2>&1; "
         "du -m /scratch/fill | cut -f1");
  EXPECT_NE(full.stdout_data.find("No space left on device"), std::string::npos)
      << full.stdout_data;
}

TEST_F(VolumeTest, SymlinksPointingOutResolveInsideTheGuest) {
  ExecOutput out =
      sh("cat /data/absolute-out /data/relative-out 2>&1; "
         "echo pwned > /data/absolute-out; echo pwned > /data/relative-out; "
         "ls /data/.. | head -3; true");
  EXPECT_EQ(out.stdout_data.find("untouched"), std::string::npos) << out.stdout_data;
  EXPECT_EQ(read_host(host("outside/canary")), kCanary);
}

TEST_F(VolumeTest, HardLinksAcrossTheVolumeBoundaryFail) {
  ExecOutput out =
      sh("ln /etc/passwd /data/passwd-link; echo \"status $?\"; "
         "ln /data/from-host /root/host-link; echo \"status $?\"");
  EXPECT_EQ(out.stdout_data, "status 1\nstatus 1\n") << out.stderr_data;
  EXPECT_FALSE(std::filesystem::exists(host("outside/rw/passwd-link")));
}

TEST_F(VolumeTest, ASymlinkSwappedInDuringWritesDoesNotLeadOut) {
  // One loop swaps /data/race/d between a directory and a symlink to the guest's root (and
  // to where the host's parent would be); the other writes through it meanwhile.
  ExecOutput out =
      sh("mkdir -p /data/race; "
         "( end=$(( $(date +%s) + 3 )); while [ $(date +%s) -lt $end ]; do "
         "mkdir /data/race/d 2>/dev/null; rm -rf /data/race/d; ln -s / /data/race/d; "
         "rm -f /data/race/d; ln -s ../.. /data/race/d; rm -f /data/race/d; done ) & "
         "( end=$(( $(date +%s) + 3 )); while [ $(date +%s) -lt $end ]; do "
         "echo pwned > /data/race/d/pwned 2>/dev/null; echo pwned > /data/race/d/canary "
         "2>/dev/null; done ) & wait; echo done");
  EXPECT_EQ(out.stdout_data, "done\n") << out.stderr_data;
  EXPECT_EQ(read_host(host("outside/canary")), kCanary);
  EXPECT_FALSE(std::filesystem::exists(host("outside/pwned")));
  EXPECT_FALSE(std::filesystem::exists(host("pwned")));
}

// A named volume outlives the sandbox that made it, and is refused removal while a sandbox
// still names it.
TEST_F(VolumeTest, ANamedVolumeKeepsItsDataAcrossSandboxes) {
  {
    Sandbox first = Sandbox::builder("named-first")
                        .isolation(test_isolation())
                        .volume("/cache", Mount::named("shared-cache"))
                        .create();
    EXPECT_EQ(first.shell("echo kept > /cache/note && echo ok").stdout_data, "ok\n");
    first.stop_and_wait(std::chrono::seconds(30));
    first.remove_persisted();
  }
  Sandbox second = Sandbox::builder("named-second")
                       .isolation(test_isolation())
                       .volume("/data/cache", Mount::named("shared-cache").readonly())
                       .create();
  EXPECT_EQ(second.shell("cat /data/cache/note").stdout_data, "kept\n");
  EXPECT_EQ(error_of([] { microsandbox::Volume::remove("shared-cache"); }).kind(),
            ErrorKind::kStillRunning);
  second.stop_and_wait(std::chrono::seconds(30));
  second.remove_persisted();
  microsandbox::Volume::remove("shared-cache");
  EXPECT_EQ(error_of([] { microsandbox::Volume::get("shared-cache"); }).kind(),
            ErrorKind::kNotFound);
}

// Bad mounts are refused before anything exists: no record, no directory, no VM.
TEST(VolumeValidation, BadMountsCreateNothing) {
  os::TempDir home = std::move(*os::TempDir::create("msb-vol-bad-"));
  ScopedEnv home_env("MSB_HOME", home.path());
  struct Case {
    std::string guest_path;
    Mount mount;
    std::string message;
  };
  const Case cases[] = {
      {"data", Mount::bind("/tmp"), "must be absolute and normalized"},
      {"/proc/x", Mount::tmpfs(), "belongs to the guest's kernel"},
      {"/data", Mount::bind(home.path() + "/missing"), "does not exist"},
      {"/data", Mount::named("no/slashes"), "volume name"},
  };
  for (const Case& bad : cases) {
    microsandbox::Error error = error_of([&] {
      Sandbox::builder("bad")
          .isolation(test_isolation())
          .volume(bad.guest_path, bad.mount)
          .create();
    });
    EXPECT_EQ(error.kind(), ErrorKind::kInvalidConfig) << error.what();
    EXPECT_NE(std::string(error.what()).find(bad.message), std::string::npos) << error.what();
    EXPECT_EQ(error_of([] { Sandbox::get("bad"); }).kind(), ErrorKind::kNotFound);
  }
  microsandbox::Error twice = error_of([&] {
    Sandbox::builder("bad")
        .isolation(test_isolation())
        .volume("/a", Mount::tmpfs())
        .volume("/a", Mount::bind("/tmp"))
        .create();
  });
  EXPECT_NE(std::string(twice.what()).find("same guest path"), std::string::npos);
}

}  // namespace
}  // namespace msb::testing
