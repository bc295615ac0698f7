#include "server/server_token.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "os/file.h"
#include "os/file_status.h"

namespace msb::server {
namespace {

TEST(ServerTokenTest, MadeOnceWithPrivateModes) {
  os::TempDir dir = os::TempDir::create("msb-token-test").value();
  std::string path = dir.path() + "/server/token";
  Result<std::string> made = load_or_create_token(path);
  ASSERT_TRUE(made.has_value()) << made.error().message;
  EXPECT_EQ(made->size(), 64u);
  EXPECT_EQ(os::lstat_path(path)->mode & 0777, 0600u);
  EXPECT_EQ(os::lstat_path(dir.path() + "/server")->mode & 0777, 0700u);
  Result<std::string> again = load_or_create_token(path);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, *made);
}

TEST(ServerTokenTest, RefusesAFileOthersCanRead) {
  os::TempDir dir = os::TempDir::create("msb-token-test").value();
  std::string path = dir.path() + "/token";
  ASSERT_TRUE(os::write_file(path, std::string(40, 'a') + "\n", 0644).has_value());
  Result<std::string> token = load_or_create_token(path);
  ASSERT_FALSE(token.has_value());
  EXPECT_EQ(token.error().kind, ErrorKind::kPermissionDenied);
  EXPECT_NE(token.error().message.find("chmod 600"), std::string::npos);
}

TEST(ServerTokenTest, RefusesAShortToken) {
  os::TempDir dir = os::TempDir::create("msb-token-test").value();
  std::string path = dir.path() + "/token";
  ASSERT_TRUE(os::write_file(path, "short\n", 0600).has_value());
  Result<std::string> token = load_or_create_token(path);
  ASSERT_FALSE(token.has_value());
  EXPECT_EQ(token.error().kind, ErrorKind::kInvalidArgument);
}

TEST(ServerTokenTest, ReadsAGivenToken) {
  os::TempDir dir = os::TempDir::create("msb-token-test").value();
  std::string path = dir.path() + "/token";
  std::string mine(48, 'k');
  ASSERT_TRUE(os::write_file(path, mine + "\n", 0600).has_value());
  EXPECT_EQ(load_or_create_token(path).value(), mine);
}

TEST(BearerMatchesTest, ExactHeaderOnly) {
  EXPECT_TRUE(bearer_matches("Bearer abc", "abc"));
  EXPECT_FALSE(bearer_matches("Bearer abd", "abc"));
  EXPECT_FALSE(bearer_matches("Bearer abc ", "abc"));
  EXPECT_FALSE(bearer_matches("bearer abc", "abc"));
  EXPECT_FALSE(bearer_matches("Basic abc", "abc"));
  EXPECT_FALSE(bearer_matches("", "abc"));
}

}  // namespace
}  // namespace msb::server
