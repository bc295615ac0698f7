#include "engine/vm/volume_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/vm/volume_server_child.h"

namespace msb::engine::vm {
namespace {

bool contains(const std::vector<std::string>& argv, const std::string& arg) {
  return std::find(argv.begin(), argv.end(), arg) != argv.end();
}

TEST(VirtiofsdCommand, ServesTheStagingDirectoryOnTheInheritedSocket) {
  std::vector<std::string> argv = virtiofsd_command("/usr/lib/qemu/virtiofsd", "/tmp");
  ASSERT_FALSE(argv.empty());
  EXPECT_EQ(argv[0], "/usr/lib/qemu/virtiofsd");
  EXPECT_TRUE(contains(argv, "--fd=" + std::to_string(kVolumeSocketFdInChild)));
  EXPECT_TRUE(contains(argv, "source=/tmp"));
  // Stays in the foreground: a daemonized virtiofsd would escape its ChildProcess.
  EXPECT_TRUE(contains(argv, "-f"));
}

// Each option is there for a reason (docs/design/vm-volumes.md): xattrs off, the file
// limit left alone (it cannot be raised in the user namespace), no socket path.
TEST(VirtiofsdCommand, KeepsXattrsOffAndTheFileLimitAlone) {
  std::vector<std::string> argv = virtiofsd_command("virtiofsd", "/tmp");
  EXPECT_TRUE(contains(argv, "no_xattr"));
  EXPECT_TRUE(contains(argv, "cache=auto"));
  EXPECT_TRUE(contains(argv, "--rlimit-nofile=0"));
  EXPECT_TRUE(contains(argv, "log_level=warn"));
  for (const std::string& arg : argv) {
    EXPECT_EQ(arg.find("socket-path"), std::string::npos) << arg;
    EXPECT_EQ(arg.find("announce_submounts"), std::string::npos) << arg;
    EXPECT_EQ(arg.find("sandbox="), std::string::npos) << arg;
  }
}

TEST(VolumeServerStep, NamesEveryStepAndSurvivesBadOnes) {
  EXPECT_EQ(volume_server_step_name(0), "wait for the parent");
  EXPECT_EQ(volume_server_step_name(99), "step 99");
  EXPECT_EQ(volume_server_step_name(-1), "step -1");
}

}  // namespace
}  // namespace msb::engine::vm
