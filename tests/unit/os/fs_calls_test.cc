#include "os/fs_calls.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string>

#include "os/file.h"
#include "os/system.h"

namespace msb::os {
namespace {

class FsCallsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<TempDir> dir = TempDir::create("msb-fs-calls-test");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
    Result<Fd> fd = open_at(AT_FDCWD, dir_->path(), O_RDONLY | O_DIRECTORY);
    ASSERT_TRUE(fd.has_value()) << fd.error().message;
    fd_ = std::move(*fd);
  }

  std::optional<TempDir> dir_;
  Fd fd_;
};

TEST_F(FsCallsTest, ReadsEveryNameButDotAndDotDotAndCanReadAgain) {
  for (const char* name : {".hidden", "a", "b"}) {
    ASSERT_TRUE(write_file(dir_->path() + "/" + name, "").has_value());
  }
  for (int round = 0; round < 2; ++round) {
    Result<std::vector<std::string>> names = read_dir_names(fd_.get());
    ASSERT_TRUE(names.has_value()) << names.error().message;
    std::sort(names->begin(), names->end());
    EXPECT_EQ(*names, (std::vector<std::string>{".hidden", "a", "b"})) << round;
  }
}

TEST_F(FsCallsTest, StatAtFollowsOnlyWhenAsked) {
  ASSERT_TRUE(write_file(dir_->path() + "/file", "123").has_value());
  ASSERT_TRUE(symlink_at("file", fd_.get(), "link").has_value());
  EXPECT_TRUE(S_ISLNK(stat_at(fd_.get(), "link", false)->mode));
  Result<FileStatus> followed = stat_at(fd_.get(), "link", true);
  ASSERT_TRUE(followed.has_value());
  EXPECT_TRUE(S_ISREG(followed->mode));
  EXPECT_EQ(followed->size, 3u);
  EXPECT_EQ(stat_at(fd_.get(), "missing", false).error().sys_errno, ENOENT);
}

TEST_F(FsCallsTest, ReadsLongLinkTargets) {
  std::string target(3000, 't');
  ASSERT_TRUE(symlink_at(target, fd_.get(), "long").has_value());
  EXPECT_EQ(read_link_at(fd_.get(), "long").value_or(""), target);
  ASSERT_TRUE(write_file(dir_->path() + "/file", "").has_value());
  EXPECT_EQ(read_link_at(fd_.get(), "file").error().sys_errno, EINVAL);
}

TEST_F(FsCallsTest, MakeDirAtFailsWhenItExistsAndUnlinkOfADirIsEisdir) {
  ASSERT_TRUE(make_dir_at(fd_.get(), "d", 0700).has_value());
  Result<void> again = make_dir_at(fd_.get(), "d", 0700);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().sys_errno, EEXIST);
  EXPECT_EQ(again.error().kind, ErrorKind::kAlreadyExists);
  EXPECT_EQ(unlink_at(fd_.get(), "d", false).error().sys_errno, EISDIR);
  EXPECT_TRUE(unlink_at(fd_.get(), "d", true).has_value());
}

TEST_F(FsCallsTest, SetTimesCanLeaveOneUnchanged) {
  ASSERT_TRUE(write_file(dir_->path() + "/f", "").has_value());
  ASSERT_TRUE(set_times_at(fd_.get(), "f", 1'000'000'005, 2'000'000'007, true).has_value());
  ASSERT_TRUE(set_times_at(fd_.get(), "f", kTimeNow, kTimeOmit, true).has_value());
  EXPECT_EQ(stat_at(fd_.get(), "f", false)->mtime_ns, 2'000'000'007);
}

TEST_F(FsCallsTest, ReadsAtAnOffset) {
  ASSERT_TRUE(write_file(dir_->path() + "/f", "0123456789").has_value());
  Result<Fd> file = open_at(fd_.get(), "f", O_RDONLY);
  ASSERT_TRUE(file.has_value());
  char buffer[4];
  EXPECT_EQ(read_at_offset(file->get(), buffer, 6).value_or(0), 4u);
  EXPECT_EQ(std::string(buffer, 4), "6789");
  EXPECT_EQ(read_at_offset(file->get(), buffer, 10).value_or(99), 0u);
  EXPECT_TRUE(sync_fd(file->get()).has_value());
}

TEST_F(FsCallsTest, ResolvesPaths) {
  ASSERT_TRUE(make_dir_at(fd_.get(), "d", 0755).has_value());
  Result<std::string> real = resolve_path(dir_->path() + "/d/../d/.");
  Result<std::string> base = resolve_path(dir_->path());
  ASSERT_TRUE(real.has_value() && base.has_value());
  EXPECT_EQ(*real, *base + "/d");
  EXPECT_EQ(resolve_path(dir_->path() + "/missing").error().sys_errno, ENOENT);
}

TEST_F(FsCallsTest, MakeNodeAtCreatesAFifoAndFailsWhenTaken) {
  ASSERT_TRUE(make_node_at(fd_.get(), "fifo", S_IFIFO | 0640, 0).has_value());
  EXPECT_TRUE(S_ISFIFO(stat_at(fd_.get(), "fifo", false)->mode));
  EXPECT_EQ(make_node_at(fd_.get(), "fifo", S_IFIFO | 0640, 0).error().sys_errno, EEXIST);
}

TEST_F(FsCallsTest, OpenBeneathStaysInsideItsRoot) {
  ASSERT_TRUE(make_dir_at(fd_.get(), "d", 0755).has_value());
  ASSERT_TRUE(write_file(dir_->path() + "/d/f", "x").has_value());
  ASSERT_TRUE(symlink_at("d", fd_.get(), "inside").has_value());
  ASSERT_TRUE(symlink_at("/etc", fd_.get(), "outside").has_value());
  EXPECT_TRUE(open_beneath(fd_.get(), "d/f", O_RDONLY).has_value());
  EXPECT_TRUE(open_beneath(fd_.get(), "d/new", O_WRONLY | O_CREAT, 0600).has_value());
  EXPECT_EQ(open_beneath(fd_.get(), "../x", O_RDONLY).error().sys_errno, EXDEV);
  EXPECT_EQ(open_beneath(fd_.get(), "/etc/passwd", O_RDONLY).error().sys_errno, EXDEV);
  EXPECT_EQ(open_beneath(fd_.get(), "outside/passwd", O_RDONLY).error().sys_errno, ELOOP);
  EXPECT_EQ(open_beneath(fd_.get(), "inside/f", O_RDONLY).error().sys_errno, ELOOP);
}

TEST_F(FsCallsTest, SyncFilesystemSucceedsOnAnOpenDirectory) {
  EXPECT_TRUE(sync_filesystem(fd_.get()).has_value());
  EXPECT_FALSE(sync_filesystem(-1).has_value());
}

}  // namespace
}  // namespace msb::os
