#include "runtime/run_dir.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "os/child_process.h"
#include "os/system.h"

namespace msb::runtime {
namespace {

class RunDirTest : public ::testing::Test {
 protected:
  std::string make_run_dir(const std::string& name, const std::string& owner) {
    std::string dir = parent_.path() + "/" + name;
    EXPECT_TRUE(os::make_dirs(dir).has_value());
    if (!owner.empty()) {
      EXPECT_TRUE(os::write_file(dir + "/owner", owner).has_value());
    }
    return dir;
  }
  std::string record_for(int pid) {
    return std::to_string(pid) + " " + std::to_string(os::process_start_time(pid).value_or(0)) +
           "\n";
  }
  int dead_pid() {
    os::ChildProcess child = std::move(*os::ChildProcess::spawn({.argv = {"true"}}));
    int pid = child.pid();
    EXPECT_TRUE(child.wait().has_value());
    return pid;
  }
  void age(const std::string& dir, std::chrono::seconds by) {
    std::filesystem::last_write_time(dir, std::filesystem::file_time_type::clock::now() - by);
  }

  os::TempDir parent_ = std::move(*os::TempDir::create("msb-run-dir-test-"));
};

TEST_F(RunDirTest, KeepsDirectoryOfALiveOwner) {
  std::string dir = make_run_dir("run-live", record_for(os::current_pid()));
  EXPECT_EQ(sweep_stale_run_dirs(parent_.path()), 0);
  EXPECT_TRUE(os::is_directory(dir));
}

TEST_F(RunDirTest, RemovesDirectoryOfADeadOwner) {
  std::string dir = make_run_dir("run-dead", std::to_string(dead_pid()) + " 12345\n");
  ASSERT_TRUE(os::write_file(dir + "/upper.ext4", "data").has_value());
  EXPECT_EQ(sweep_stale_run_dirs(parent_.path()), 1);
  EXPECT_FALSE(os::path_exists(dir));
}

TEST_F(RunDirTest, RemovesDirectoryWhosePidWasReusedByAnotherProcess) {
  // Our own pid with another start time: the owner is gone and we merely reuse its pid.
  std::string dir = make_run_dir("run-reused", std::to_string(os::current_pid()) + " 1\n");
  EXPECT_EQ(sweep_stale_run_dirs(parent_.path()), 1);
  EXPECT_FALSE(os::path_exists(dir));
}

TEST_F(RunDirTest, GivesAFreshDirectoryWithoutRecordTimeToGetOne) {
  std::string fresh = make_run_dir("run-fresh", "");
  std::string old = make_run_dir("run-old", "");
  age(old, std::chrono::seconds(600));
  EXPECT_EQ(sweep_stale_run_dirs(parent_.path()), 1);
  EXPECT_TRUE(os::is_directory(fresh));
  EXPECT_FALSE(os::path_exists(old));
}

TEST_F(RunDirTest, LeavesOtherEntriesAlone) {
  std::string other = make_run_dir("sandbox-x", "");
  age(other, std::chrono::seconds(600));
  EXPECT_EQ(sweep_stale_run_dirs(parent_.path()), 0);
  EXPECT_TRUE(os::is_directory(other));
}

TEST_F(RunDirTest, CreateSweepsAndRecordsItsOwner) {
  std::string stale = make_run_dir("run-stale", std::to_string(dead_pid()) + " 1\n");
  Result<os::TempDir> created = create_run_dir(parent_.path() + "/");
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_FALSE(os::path_exists(stale));
  Result<std::string> owner = os::read_file(created->path() + "/owner");
  ASSERT_TRUE(owner.has_value());
  EXPECT_EQ(*owner, record_for(os::current_pid()));
  EXPECT_EQ(sweep_stale_run_dirs(parent_.path()), 0);
}

TEST(ProcessStartTime, KnownForLiveProcessesOnly) {
  EXPECT_TRUE(os::process_start_time(os::current_pid()).has_value());
  EXPECT_FALSE(os::process_start_time(0x3fffffff).has_value());
}

}  // namespace
}  // namespace msb::runtime
