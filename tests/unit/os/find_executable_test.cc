// find_executable lives in os/child_process.cc; its tests sit apart to keep files short.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "os/child_process.h"
#include "os/file.h"

namespace msb::os {
namespace {

class FindExecutableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<TempDir> dir = TempDir::create("msb-find-exe-");
    ASSERT_TRUE(dir.has_value());
    dir_.emplace(std::move(*dir));
    for (const char* sub : {"/a", "/b", "/c"}) ASSERT_TRUE(make_dirs(root() + sub).has_value());
  }
  const std::string& root() const { return dir_->path(); }
  void make_file(const std::string& relative, int mode) {
    ASSERT_TRUE(write_file(root() + relative, "#!/bin/sh\n", mode).has_value());
  }

  std::optional<TempDir> dir_;
};

TEST_F(FindExecutableTest, FindsTheFirstMatchOnThePath) {
  make_file("/b/tool", 0755);
  make_file("/c/tool", 0755);
  std::string path_env = root() + "/a:" + root() + "/b:" + root() + "/c";
  Result<std::string> found = find_executable("tool", path_env);
  ASSERT_TRUE(found.has_value()) << found.error().message;
  EXPECT_EQ(*found, root() + "/b/tool");
}

TEST_F(FindExecutableTest, SkipsNonExecutableMatchesForALaterOne) {
  make_file("/a/tool", 0644);
  make_file("/b/tool", 0755);
  Result<std::string> found = find_executable("tool", root() + "/a:" + root() + "/b");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, root() + "/b/tool");
}

TEST_F(FindExecutableTest, OnlyNonExecutableMatchIsPermissionDenied) {
  make_file("/a/tool", 0644);
  Result<std::string> found = find_executable("tool", root() + "/a:" + root() + "/b");
  ASSERT_FALSE(found.has_value());
  EXPECT_EQ(found.error().kind, ErrorKind::kPermissionDenied);
  EXPECT_NE(found.error().message.find("tool"), std::string::npos);
}

TEST_F(FindExecutableTest, DirectoriesAreNotExecutables) {
  ASSERT_TRUE(make_dirs(root() + "/a/tool").has_value());
  Result<std::string> found = find_executable("tool", root() + "/a");
  ASSERT_FALSE(found.has_value());
  EXPECT_EQ(found.error().kind, ErrorKind::kNotFound);
}

TEST_F(FindExecutableTest, MissingIsNotFound) {
  Result<std::string> found = find_executable("msb-no-such-tool", root() + "/a:" + root() + "/b");
  ASSERT_FALSE(found.has_value());
  EXPECT_EQ(found.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(found.error().message, "msb-no-such-tool: command not found");
}

TEST_F(FindExecutableTest, NameWithSlashIsReturnedAsIs) {
  make_file("/a/tool", 0755);
  Result<std::string> found = find_executable(root() + "/a/tool", "");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, root() + "/a/tool");
  Result<std::string> missing = find_executable(root() + "/a/missing", "/usr/bin");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST(FindExecutable, FindsShOnTheSystemPath) {
  Result<std::string> found = find_executable("sh", "/nonexistent:/usr/bin:/bin");
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(*found == "/usr/bin/sh" || *found == "/bin/sh") << *found;
}

TEST(FindExecutable, EmptyNameIsNotFound) {
  Result<std::string> found = find_executable("", "/usr/bin:/bin");
  ASSERT_FALSE(found.has_value());
  EXPECT_EQ(found.error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace msb::os
