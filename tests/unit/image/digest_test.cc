#include "image/digest.h"

#include <gtest/gtest.h>

#include <string>

#include "os/file.h"

namespace msb::image {
namespace {

constexpr const char* kEmpty =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kAbc =
    "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(Sha256, HashesKnownVectors) {
  Sha256 empty;
  EXPECT_EQ(empty.finish(), kEmpty);
  Sha256 abc;
  abc.update("a", 1);
  abc.update("bc", 2);
  EXPECT_EQ(abc.finish(), kAbc);
}

TEST(Sha256, HashesAFile) {
  Result<os::TempDir> dir = os::TempDir::create("msb-digest-test-");
  ASSERT_TRUE(dir.has_value());
  std::string path = dir->path() + "/f";
  ASSERT_TRUE(os::write_file(path, "abc").has_value());
  Result<std::string> digest = sha256_file(path);
  ASSERT_TRUE(digest.has_value()) << digest.error().message;
  EXPECT_EQ(*digest, kAbc);
  EXPECT_EQ(sha256_file(dir->path() + "/missing").error().kind, ErrorKind::kNotFound);
}

TEST(Digest, AcceptsOnlySha256WithLowercaseHex) {
  EXPECT_TRUE(is_valid_digest(kAbc));
  std::string upper = kAbc;
  upper[10] = 'A';
  EXPECT_FALSE(is_valid_digest(upper));
  EXPECT_FALSE(is_valid_digest(std::string(kAbc) + "0"));
  EXPECT_FALSE(is_valid_digest(std::string(kAbc).substr(0, 70)));
  EXPECT_FALSE(is_valid_digest("sha512:" + std::string(kAbc).substr(7)));
  EXPECT_FALSE(is_valid_digest(std::string(kAbc).substr(7)));
  EXPECT_FALSE(is_valid_digest(""));
  std::string with_g = kAbc;
  with_g[20] = 'g';
  EXPECT_FALSE(is_valid_digest(with_g));
}

TEST(Digest, HexOfValidDigestOnly) {
  EXPECT_EQ(*digest_hex(kAbc), std::string(kAbc).substr(7));
  Result<std::string> bad = digest_hex("sha256:xyz");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("sha256:xyz"), std::string::npos);
}

}  // namespace
}  // namespace msb::image
