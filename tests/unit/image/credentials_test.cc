#include "image/credentials.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "common/base64.h"
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
  write(msb_home_, R"({"auths":{"other.io":{"auth":"!!"}}, "credHelpers":{"other.io":"x"}})");
  EXPECT_FALSE(find("r.io"));
}

// Fake docker-credential-* programs on a private $PATH, recording how they were asked.
class CredentialHelperTest : public CredentialsTest {
 protected:
  void SetUp() override {
    CredentialsTest::SetUp();
    bin_ = dir_->path() + "/bin";
    ASSERT_TRUE(os::make_dirs(bin_).has_value());
    path_env_.emplace("PATH", bin_ + ":/usr/bin:/bin");
  }
  // A helper `name` that records its arguments and stdin, then runs `body`.
  void helper(const std::string& name, const std::string& body) {
    std::string script =
        "#!/bin/sh\necho \"$@\" > " + asked() + "\ncat >> " + asked() + "\n" + body + "\n";
    ASSERT_TRUE(os::write_file(bin_ + "/docker-credential-" + name, script, 0755).has_value());
  }
  std::string asked() const { return dir_->path() + "/asked"; }
  static std::string answer(const std::string& user, const std::string& secret) {
    return "echo '{\"ServerURL\":\"x\",\"Username\":\"" + user + "\",\"Secret\":\"" + secret +
           "\"}'";
  }

  std::string bin_;
  std::optional<testing::ScopedEnv> path_env_;
};

TEST_F(CredentialHelperTest, CredsStoreHelperIsAskedWithTheServerOnStdin) {
  helper("fake", answer("helper-user", "s3cret"));
  write(docker_, R"({"credsStore":"fake"})");
  std::optional<Credentials> found = find("127.0.0.1:5000");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->username, "helper-user");
  EXPECT_EQ(found->password, "s3cret");
  EXPECT_EQ(os::read_file(asked()).value_or(""), "get\n127.0.0.1:5000");
  ASSERT_TRUE(find("docker.io"));
  EXPECT_EQ(os::read_file(asked()).value_or(""), "get\nhttps://index.docker.io/v1/");
}

TEST_F(CredentialHelperTest, CredHelpersEntryWinsOverCredsStoreForItsHost) {
  helper("store", answer("from-store", "a"));
  helper("special", answer("from-special", "b"));
  write(docker_, R"({"credsStore":"store","credHelpers":{"https://r.io":"special"}})");
  EXPECT_EQ(find("r.io")->username, "from-special");
  EXPECT_EQ(find("other.io")->username, "from-store");
}

TEST_F(CredentialHelperTest, NotFoundInTheHelperOrNoSuchHelperFallsBackToAuths) {
  helper("empty", "echo 'credentials not found in native keychain'; exit 1");
  write(docker_, R"({"credsStore":"empty","auths":{"r.io":{"username":"file","password":"p"}}})");
  EXPECT_EQ(find("r.io")->username, "file");
  EXPECT_FALSE(find("other.io"));
  write(docker_, R"({"credsStore":"not-installed","auths":{"r.io":{"auth":")" +
                     base64_encode("file2:p") + R"("}}})");
  EXPECT_EQ(find("r.io")->username, "file2");
}

TEST_F(CredentialHelperTest, FailingOrGarbageHelpersAndBadNamesAreClearErrors) {
  helper("broken", "echo 'keychain locked' >&2; exit 3");
  write(docker_, R"({"credsStore":"broken"})");
  Error failed = find_error("r.io");
  EXPECT_EQ(failed.kind, ErrorKind::kPermissionDenied);
  EXPECT_NE(failed.message.find("keychain locked"), std::string::npos) << failed.message;
  helper("garbage", "echo 'not json'");
  write(docker_, R"({"credsStore":"garbage"})");
  EXPECT_EQ(find_error("r.io").kind, ErrorKind::kInvalidConfig);
  helper("nosecret", answer("u", ""));
  write(docker_, R"({"credsStore":"nosecret"})");
  EXPECT_EQ(find_error("r.io").kind, ErrorKind::kInvalidConfig);
  for (const char* name : {"../../bin/sh", "a/b", ".hidden", "x y"}) {
    write(docker_, std::string(R"({"credsStore":")") + name + R"("})");
    EXPECT_EQ(find_error("r.io").kind, ErrorKind::kInvalidConfig) << name;
  }
  write(docker_, R"({"credsStore":42})");
  EXPECT_EQ(find_error("r.io").kind, ErrorKind::kInvalidConfig);
  write(docker_, R"({"credHelpers":[]})");
  EXPECT_EQ(find_error("r.io").kind, ErrorKind::kInvalidConfig);
}

}  // namespace
}  // namespace msb::image
