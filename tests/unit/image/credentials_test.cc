#include "image/credentials.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "image/base64.h"
#include "os/file.h"
#include "scoped_env.h"

namespace msb::image {
namespace {

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-credentials-test-");
    ASSERT_TRUE(dir.has_value());
    dir_.emplace(std::move(*dir));
    msb_home_ = dir_->path() + "/msb";
    docker_ = dir_->path() + "/docker";
    ASSERT_TRUE(os::make_dirs(msb_home_).has_value());
    ASSERT_TRUE(os::make_dirs(docker_).has_value());
    docker_env_.emplace("DOCKER_CONFIG", docker_);
    home_env_.emplace("HOME", dir_->path() + "/home");
  }
  void write(const std::string& dir, const std::string& text) {
    ASSERT_TRUE(os::write_file(dir + "/config.json", text).has_value());
  }
  std::optional<Credentials> find(const std::string& registry) {
    Result<std::optional<Credentials>> found = find_credentials(registry, msb_home_);
    EXPECT_TRUE(found.has_value()) << found.error().message;
    return found.value_or(std::nullopt);
  }
  Error find_error(const std::string& registry) {
    Result<std::optional<Credentials>> found = find_credentials(registry, msb_home_);
    EXPECT_FALSE(found.has_value());
    return found.has_value() ? Error{} : found.error();
  }

  std::optional<os::TempDir> dir_;
  std::string msb_home_, docker_;
  std::optional<testing::ScopedEnv> docker_env_, home_env_;
};

TEST_F(CredentialsTest, NoFilesMeansNoCredentials) { EXPECT_FALSE(find("127.0.0.1:5000")); }

TEST_F(CredentialsTest, DecodesBase64AuthAndKeepsColonsInPassword) {
  write(docker_,
        R"({"auths":{"127.0.0.1:5000":{"auth":")" + base64_encode("alice:p:w") + R"("}}})");
  std::optional<Credentials> found = find("127.0.0.1:5000");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->username, "alice");
  EXPECT_EQ(found->password, "p:w");
  EXPECT_FALSE(find("127.0.0.1:5001"));
}

TEST_F(CredentialsTest, MsbHomeComesBeforeDockerConfig) {
  write(docker_, R"({"auths":{"r.io":{"username":"docker","password":"d"}}})");
  write(msb_home_, R"({"auths":{"https://r.io/v2/":{"username":"msb","password":"m"}}})");
  EXPECT_EQ(find("r.io")->username, "msb");
}

TEST_F(CredentialsTest, DockerHubAliasesMatch) {
  write(docker_, R"({"auths":{"https://index.docker.io/v1/":{"username":"u","password":"p"}}})");
  EXPECT_EQ(find("docker.io")->username, "u");
  EXPECT_EQ(find("registry-1.docker.io")->username, "u");
}

TEST_F(CredentialsTest, HomeDockerDirectoryWhenDockerConfigUnset) {
  testing::ScopedEnv unset("DOCKER_CONFIG", std::nullopt);
  ASSERT_TRUE(os::make_dirs(dir_->path() + "/home/.docker").has_value());
  write(dir_->path() + "/home/.docker", R"({"auths":{"h:1":{"username":"home","password":"p"}}})");
  EXPECT_EQ(find("h:1")->username, "home");
}

TEST_F(CredentialsTest, MalformedFilesAndEntriesAreConfigErrors) {
  write(msb_home_, "{\"auths\":");
  Error truncated = find_error("r.io");
  EXPECT_EQ(truncated.kind, ErrorKind::kInvalidConfig);
  EXPECT_NE(truncated.message.find(msb_home_ + "/config.json"), std::string::npos);
  write(msb_home_, R"({"auths":[]})");
  EXPECT_EQ(find_error("r.io").kind, ErrorKind::kInvalidConfig);
  write(msb_home_, R"({"auths":{"r.io":{"auth":"not base64!"}}})");
  EXPECT_NE(find_error("r.io").message.find("base64"), std::string::npos);
  write(msb_home_, R"({"auths":{"r.io":{"auth":")" + base64_encode("nocolon") + R"("}}})");
  EXPECT_EQ(find_error("r.io").kind, ErrorKind::kInvalidConfig);
  write(msb_home_, R"({"auths":{"r.io":{"username":"only"}}})");
  EXPECT_EQ(find_error("r.io").kind, ErrorKind::kInvalidConfig);
  write(msb_home_, R"({"auths":{"r.io":{"auth":42}}})");
  EXPECT_EQ(find_error("r.io").kind, ErrorKind::kInvalidConfig);
  write(msb_home_, std::string(2 << 20, ' '));
  EXPECT_EQ(find_error("r.io").kind, ErrorKind::kInvalidConfig);
}

TEST_F(CredentialsTest, OtherHostsEntriesAreIgnoredEvenIfMalformed) {
  write(msb_home_, R"({"auths":{"other.io":{"auth":"!!"}}, "credsStore":"desktop"})");
  EXPECT_FALSE(find("r.io"));
}

}  // namespace
}  // namespace msb::image
