// `msb snapshot ...` and `--from-snapshot` through the real msb binary, on each engine:
// create, ls, inspect --verify, a foreground `msb run` from the snapshot, save, rm, load,
// and the exit code of a failed verify.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "msb_harness.h"
#include "test_engine.h"

namespace msb::testing {
namespace {

using ::testing::HasSubstr;

class CliSnapshotTest : public ::testing::Test {
 protected:
  MsbResult msb(const std::vector<std::string>& args) {
    return harness_.run(args, std::chrono::seconds(120));
  }
  MsbHarness harness_;
};

TEST_F(CliSnapshotTest, TakeListVerifyRunSaveRemoveLoad) {
  ASSERT_EQ(msb({"create", "--name", "builder"}).exit_code, 0);
  MsbResult wrote = msb({"exec", "builder", "--", "sh", "-c", "echo from-builder > /root/f"});
  ASSERT_EQ(wrote.exit_code, 0) << wrote.err;
  MsbResult running = msb({"snapshot", "create", "s", "--from", "builder"});
  EXPECT_NE(running.exit_code, 0);
  EXPECT_THAT(running.err, HasSubstr("stop it first"));
  ASSERT_EQ(msb({"stop", "builder"}).exit_code, 0);
  MsbResult created = msb({"snapshot", "create", "s", "--from", "builder"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(created.out, "s\n");

  EXPECT_EQ(msb({"snapshot", "ls", "-q"}).out, "s\n");
  MsbResult listed = msb({"snapshot", "ls"});
  EXPECT_THAT(listed.out, HasSubstr("builder"));
  EXPECT_THAT(listed.out, HasSubstr(test_isolation()));
  MsbResult verified = msb({"snapshot", "inspect", "s", "--verify"});
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_THAT(verified.out, HasSubstr("\"verified\": true"));

  // A foreground run starts from the snapshot too.
  MsbResult ran = msb({"run", "--from-snapshot", "s", "--", "cat", "/root/f"});
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(ran.out, "from-builder\n");
  MsbResult both = msb({"create", "--from-snapshot", "s", "--name", "x", "base"});
  EXPECT_NE(both.exit_code, 0);
  EXPECT_THAT(both.err, HasSubstr("not both"));

  std::string archive = harness_.home() + "/s.tar";
  ASSERT_EQ(msb({"snapshot", "save", "s", archive}).exit_code, 0);
  ASSERT_EQ(msb({"snapshot", "rm", "s"}).exit_code, 0);
  EXPECT_EQ(msb({"snapshot", "ls", "-q"}).out, "");
  MsbResult loaded = msb({"snapshot", "load", archive});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  EXPECT_EQ(loaded.out, "s\n");
  ASSERT_EQ(msb({"create", "--from-snapshot", "s", "--name", "again"}).exit_code, 0);
  EXPECT_EQ(msb({"exec", "again", "--", "cat", "/root/f"}).out, "from-builder\n");
  ASSERT_EQ(msb({"stop", "again"}).exit_code, 0);

  std::string artifact =
      harness_.home() + "/snapshots/s/" + (test_isolation() == "vm" ? "upper.ext4" : "upper.tar");
  {
    std::fstream file(artifact, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(1024 + 100);
    file.put('\x7f');
  }
  MsbResult damaged = msb({"snapshot", "inspect", "s", "--verify"});
  EXPECT_NE(damaged.exit_code, 0);
  EXPECT_THAT(damaged.out, HasSubstr("\"verified\": false"));
  EXPECT_THAT(damaged.err, HasSubstr("does not match"));
  ASSERT_EQ(msb({"rm", "builder", "again"}).exit_code, 0);
  EXPECT_TRUE(harness_.wait_no_qemu(std::chrono::seconds(30)));
}

}  // namespace
}  // namespace msb::testing
