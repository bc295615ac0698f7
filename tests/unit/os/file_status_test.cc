#include "os/file_status.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <optional>
#include <string>

#include "os/file.h"
#include "os/system.h"

namespace msb::os {
namespace {

class FileStatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<TempDir> dir = TempDir::create("msb-file-status-test");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
  }

  std::string path(const std::string& name) const { return dir_->path() + "/" + name; }

  std::optional<TempDir> dir_;
};

TEST_F(FileStatusTest, LstatDescribesFilesAndSymlinks) {
  ASSERT_TRUE(write_file(path("f"), "abc", 0600).has_value());
  ASSERT_TRUE(make_symlink("f", path("l")).has_value());
  Result<FileStatus> file = lstat_path(path("f"));
  ASSERT_TRUE(file.has_value()) << file.error().message;
  EXPECT_TRUE(S_ISREG(file->mode));
  EXPECT_EQ(file->mode & 07777, 0600u);
  EXPECT_EQ(file->size, 3u);
  EXPECT_GT(file->mtime_ns, 0);
  Result<FileStatus> link = lstat_path(path("l"));
  ASSERT_TRUE(link.has_value()) << link.error().message;
  EXPECT_TRUE(S_ISLNK(link->mode));
}

TEST_F(FileStatusTest, LstatOfMissingPathIsNotFoundWithErrno) {
  Result<FileStatus> missing = lstat_path(path("missing"));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(missing.error().sys_errno, ENOENT);
  EXPECT_NE(missing.error().message.find("missing"), std::string::npos);
}

TEST_F(FileStatusTest, ReadsRegularFilesUpToTheLimit) {
  ASSERT_TRUE(write_file(path("f"), "0123456789").has_value());
  Result<std::string> text = read_regular_file(path("f"), 10);
  ASSERT_TRUE(text.has_value()) << text.error().message;
  EXPECT_EQ(*text, "0123456789");
  Result<std::string> too_big = read_regular_file(path("f"), 9);
  ASSERT_FALSE(too_big.has_value());
  EXPECT_EQ(too_big.error().kind, ErrorKind::kInvalidArgument);
}

TEST_F(FileStatusTest, RefusesFifosDirectoriesAndDevicesWithoutBlocking) {
  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  for (const std::string& target : {path("fifo"), dir_->path(), std::string("/dev/zero")}) {
    Result<std::string> text = read_regular_file(target, 1024);
    ASSERT_FALSE(text.has_value()) << target;
    EXPECT_NE(text.error().kind, ErrorKind::kNotFound) << target;
  }
  EXPECT_EQ(read_regular_file(path("missing"), 1).error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace msb::os
