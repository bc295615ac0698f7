// Copies from one sandbox into another, through SandboxFs::copy_to_sandbox and
// `msb cp a:/x b:/y`: a tree with modes, a symlink and a 5 MiB file arrives the same.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "os/file.h"
#include "sandbox_suite.h"

namespace msb::testing {
namespace {

namespace stdfs = std::filesystem;
using ::testing::HasSubstr;

constexpr size_t kFiveMiB = 5 << 20;
constexpr char kPeer[] = "peer";

// "path type mode [target|sha256]" for every entry under `root`, sorted, as the guest
// of `sandbox` sees them.
std::string describe_guest_tree(microsandbox::Sandbox& sandbox, const std::string& root) {
  std::string script =
      "cd " + root +
      " && find . | sort | while read -r f; do"
      " if [ -L \"$f\" ]; then echo \"$f link $(readlink \"$f\")\";"
      " elif [ -d \"$f\" ]; then echo \"$f dir $(stat -c %a \"$f\")\";"
      " else echo \"$f file $(stat -c %a \"$f\") $(sha256sum < \"$f\" | cut -d' ' -f1)\"; fi;"
      " done";
  microsandbox::ExecOutput out = sandbox.shell(script);
  EXPECT_EQ(out.exit_code, 0) << out.stderr_data;
  return out.stdout_data;
}

class SandboxCopy : public SandboxSuite {
 protected:
  // A second sandbox next to the suite's, made once for this suite's tests.
  static void SetUpTestSuite() {
    SandboxSuite::SetUpTestSuite();
    try {
      peer_ = new microsandbox::Sandbox(microsandbox::Sandbox::builder(kPeer).create());
    } catch (const microsandbox::Error& error) {
      peer_error_ = error.what();
    }
  }
  static void TearDownTestSuite() {
    if (peer_) {
      try {
        peer_->stop_and_wait(std::chrono::seconds(30));
        peer_->remove_persisted();
      } catch (const microsandbox::Error& error) {
        ADD_FAILURE() << "stopping the peer sandbox: " << error.what();
      }
      delete peer_;
      peer_ = nullptr;
    }
    SandboxSuite::TearDownTestSuite();
  }
  void SetUp() override {
    SandboxSuite::SetUp();
    if (!peer_) FAIL() << "the peer sandbox was not created: " << peer_error_;
  }

  // The source tree in the suite's sandbox, under /tmp/<name>; returns its sha256 of the
  // big file.
  static std::string make_source_tree(const std::string& name) {
    std::string host = scratch_dir("src-") + "/" + name;
    stdfs::create_directories(host + "/sub/deeper");
    std::string big = random_bytes(kFiveMiB, 21);
    EXPECT_TRUE(os::write_file(host + "/big.bin", big));
    EXPECT_TRUE(os::write_file(host + "/secret.txt", "only me\n"));
    EXPECT_TRUE(os::write_file(host + "/run.sh", "#!/bin/sh\necho ran\n"));
    EXPECT_TRUE(os::write_file(host + "/sub/deeper/empty", ""));
    ::chmod((host + "/big.bin").c_str(), 0640);
    ::chmod((host + "/secret.txt").c_str(), 0600);
    ::chmod((host + "/run.sh").c_str(), 0755);
    ::chmod((host + "/sub").c_str(), 0750);
    stdfs::create_symlink("secret.txt", host + "/link");
    sandbox().fs().copy_from_host(host, "/tmp");
    return sha256_hex(big);
  }

  static microsandbox::Sandbox* peer_;
  static std::string peer_error_;
};

microsandbox::Sandbox* SandboxCopy::peer_ = nullptr;
std::string SandboxCopy::peer_error_;

TEST_F(SandboxCopy, SdkCopiesATreeIntoAnotherSandbox) {
  Watchdog watchdog("sandbox to sandbox copy (SDK)", std::chrono::seconds(600));
  std::string big_sha = make_source_tree("sdk-tree");
  microsandbox::SandboxFs from = sandbox().fs();
  microsandbox::SandboxFs to = peer_->fs();
  to.mkdir("/tmp/in", true);
  from.copy_to_sandbox("/tmp/sdk-tree", to, "/tmp/in");  // an existing dir: under its name

  std::string original = describe_guest_tree(sandbox(), "/tmp/sdk-tree");
  EXPECT_EQ(describe_guest_tree(*peer_, "/tmp/in/sdk-tree"), original);
  EXPECT_THAT(original, HasSubstr("./big.bin file 640 " + big_sha));
  EXPECT_THAT(original, HasSubstr("./link link secret.txt"));
  EXPECT_THAT(original, HasSubstr("./sub dir 750"));
  EXPECT_EQ(to.stat("/tmp/in/sdk-tree").mode, from.stat("/tmp/sdk-tree").mode);
  EXPECT_EQ(peer_->exec("/tmp/in/sdk-tree/run.sh").stdout_data, "ran\n");

  // A single file to a new name, within one sandbox.
  from.copy_to_sandbox("/tmp/sdk-tree/big.bin", from, "/tmp/big-copy.bin");
  EXPECT_EQ(from.stat("/tmp/big-copy.bin").size, kFiveMiB);
  EXPECT_EQ(from.stat("/tmp/big-copy.bin").mode, 0640u);
}

TEST_F(SandboxCopy, MsbCpCopiesATreeIntoAnotherSandbox) {
  Watchdog watchdog("sandbox to sandbox copy (msb cp)", std::chrono::seconds(600));
  std::string big_sha = make_source_tree("cli-tree");
  CliResult copied =
      msb({"cp", sandbox_name() + ":/tmp/cli-tree", std::string(kPeer) + ":/tmp/got"});
  ASSERT_EQ(copied.exit_code, 0) << copied.err;
  std::string original = describe_guest_tree(sandbox(), "/tmp/cli-tree");
  EXPECT_EQ(describe_guest_tree(*peer_, "/tmp/got"), original);
  EXPECT_THAT(original, HasSubstr("./big.bin file 640 " + big_sha));
}

TEST_F(SandboxCopy, MissingSourceIsNotFoundAndNothingIsMade) {
  CliResult copied = msb({"cp", sandbox_name() + ":/tmp/no-such", std::string(kPeer) + ":/tmp/x"});
  EXPECT_EQ(copied.exit_code, 125) << copied.err;
  EXPECT_THAT(copied.err, HasSubstr("/tmp/no-such"));
  EXPECT_FALSE(peer_->fs().exists("/tmp/x"));
  microsandbox::SandboxFs to = peer_->fs();
  microsandbox::Error error =
      error_of([&] { sandbox().fs().copy_to_sandbox("/tmp/no-such", to, "/tmp/x"); });
  EXPECT_EQ(error.kind(), microsandbox::ErrorKind::kNotFound);
}

}  // namespace
}  // namespace msb::testing
