#include "agent/fs_service.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>

#include "os/file.h"
#include "os/system.h"

namespace msb::agent {
namespace {

class FsStatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-fs-service-test");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
  }

  static protocol::FsStatResult stat_ok(const std::string& path) {
    protocol::Message reply = stat_path(protocol::FsStat{path});
    auto* result = std::get_if<protocol::FsStatResult>(&reply);
    EXPECT_TRUE(result) << path << ": " << protocol::message_name(reply);
    return result ? *result : protocol::FsStatResult{};
  }

  static protocol::FsError stat_error(const std::string& path) {
    protocol::Message reply = stat_path(protocol::FsStat{path});
    auto* error = std::get_if<protocol::FsError>(&reply);
    EXPECT_TRUE(error) << path << ": " << protocol::message_name(reply);
    return error ? *error : protocol::FsError{};
  }

  std::optional<os::TempDir> dir_;
};

TEST_F(FsStatTest, DescribesARegularFile) {
  std::string path = dir_->path() + "/file";
  ASSERT_TRUE(os::write_file(path, "12345", 0640).has_value());
  ASSERT_EQ(::chmod(path.c_str(), 04751), 0);
  protocol::FsStatResult result = stat_ok(path);
  EXPECT_TRUE(result.exists);
  EXPECT_EQ(result.type, "file");
  EXPECT_EQ(result.mode, 04751u);
  EXPECT_EQ(result.size, 5u);
  EXPECT_EQ(result.uid, ::geteuid());
  EXPECT_EQ(result.gid, ::getegid());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(result.mtime_ns, int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec);
}

TEST_F(FsStatTest, DescribesDirectoriesWithTheStickyBit) {
  std::string path = dir_->path() + "/sticky";
  ASSERT_TRUE(os::make_dir(path, 0755).has_value());
  ASSERT_EQ(::chmod(path.c_str(), 01777), 0);
  protocol::FsStatResult result = stat_ok(path);
  EXPECT_EQ(result.type, "dir");
  EXPECT_EQ(result.mode, 01777u);
}

TEST_F(FsStatTest, DoesNotFollowAFinalSymlink) {
  std::string link = dir_->path() + "/dangling";
  ASSERT_TRUE(os::make_symlink("no-such-target", link).has_value());
  protocol::FsStatResult result = stat_ok(link);
  EXPECT_TRUE(result.exists);
  EXPECT_EQ(result.type, "symlink");
  EXPECT_EQ(result.size, std::string("no-such-target").size());
}

TEST_F(FsStatTest, OtherFileTypesAreOther) { EXPECT_EQ(stat_ok("/dev/null").type, "other"); }

TEST_F(FsStatTest, MissingPathsDoNotExist) {
  std::string file = dir_->path() + "/file";
  ASSERT_TRUE(os::write_file(file, "").has_value());
  for (const std::string& path :
       {dir_->path() + "/missing", dir_->path() + "/a/b/c", file + "/x"}) {
    protocol::FsStatResult result = stat_ok(path);
    EXPECT_FALSE(result.exists) << path;
    EXPECT_EQ(result.type, "") << path;
    EXPECT_EQ(result.size, 0u) << path;
  }
}

TEST_F(FsStatTest, RejectsRelativeEmptyNulAndOverlongPaths) {
  for (const std::string& path :
       {std::string("relative"), std::string(""), std::string("./x"), std::string("/tmp\0x", 6),
        "/" + std::string(5000, 'a'), std::string(100'000, 'r')}) {
    protocol::FsError error = stat_error(path);
    EXPECT_EQ(error.kind, "invalid-path") << path.size();
    EXPECT_LT(error.message.size(), 400u);
  }
  EXPECT_EQ(stat_error("relative").errno_value, 0);
  EXPECT_EQ(stat_error("/" + std::string(5000, 'a')).errno_value, ENAMETOOLONG);
}

TEST_F(FsStatTest, SymlinkLoopOnTheWayIsOther) {
  std::string loop = dir_->path() + "/loop";
  ASSERT_TRUE(os::make_symlink(loop, loop).has_value());
  EXPECT_EQ(stat_ok(loop).type, "symlink");  // the loop itself is described
  protocol::FsError error = stat_error(loop + "/x");
  EXPECT_EQ(error.kind, "other");
  EXPECT_EQ(error.errno_value, ELOOP);
}

}  // namespace
}  // namespace msb::agent
