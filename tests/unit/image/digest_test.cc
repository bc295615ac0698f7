#include "image/digest.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "os/file.h"

namespace msb::image {
namespace {

constexpr char kEmpty[] = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kAbc[] = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(Sha256, EmptyInputHasTheKnownDigest) { EXPECT_EQ(Sha256().finish(), kEmpty); }

TEST(Sha256, PiecesHashLikeTheWhole) {
  Sha256 hash;
  hash.update("a", 1);
  hash.update("bc", 2);
  EXPECT_EQ(hash.finish(), kAbc);
}

TEST(Sha256, FileDigestMatchesItsBytes) {
  Result<os::TempDir> dir = os::TempDir::create("msb-digest-test-");
  ASSERT_TRUE(dir.has_value()) << dir.error().message;
  std::string path = dir->path() + "/f";
  ASSERT_TRUE(os::write_file(path, "abc").has_value());
  Result<std::string> digest = sha256_file(path);
  ASSERT_TRUE(digest.has_value()) << digest.error().message;
  EXPECT_EQ(*digest, kAbc);
}

TEST(Sha256, MissingFileIsNotFound) {
  Result<std::string> digest = sha256_file("/nonexistent/msb-digest");
  ASSERT_FALSE(digest.has_value());
  EXPECT_EQ(digest.error().kind, ErrorKind::kNotFound);
}

TEST(Digest, AcceptsOnlySha256AndLowercaseHex) {
  EXPECT_TRUE(is_valid_digest(kAbc));
  std::string hex = std::string(kAbc).substr(7);
  EXPECT_FALSE(is_valid_digest(hex));                           // no algorithm
  EXPECT_FALSE(is_valid_digest("sha512:" + hex));               // another algorithm
  EXPECT_FALSE(is_valid_digest("sha256:" + hex.substr(1)));     // 63 digits
  EXPECT_FALSE(is_valid_digest(std::string(kAbc) + "0"));       // 65 digits
  EXPECT_FALSE(is_valid_digest("sha256:BA" + hex.substr(2)));   // uppercase
  EXPECT_FALSE(is_valid_digest("sha256:g" + hex.substr(1)));    // not hex
  EXPECT_FALSE(is_valid_digest("sha256:../" + hex.substr(3)));  // path tricks
  EXPECT_FALSE(is_valid_digest(""));
  EXPECT_FALSE(is_valid_digest(std::string("sha256:\0", 8) + hex.substr(1)));
}

TEST(Digest, HexOfAValidDigest) {
  Result<std::string> hex = digest_hex(kAbc);
  ASSERT_TRUE(hex.has_value());
  EXPECT_EQ(*hex, std::string(kAbc).substr(7));
}

TEST(Digest, HexOfAnInvalidDigestIsInvalidArgument) {
  Result<std::string> hex = digest_hex("sha256:xyz");
  ASSERT_FALSE(hex.has_value());
  EXPECT_EQ(hex.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_NE(hex.error().message.find("sha256:xyz"), std::string::npos);
}

}  // namespace
}  // namespace msb::image
