#include "image/reference.h"

#include <gtest/gtest.h>

#include <string>

namespace msb::image {
namespace {

const std::string kDigest =
    "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

Reference parse_ok(std::string_view text) {
  Result<Reference> ref = parse_reference(text);
  EXPECT_TRUE(ref.has_value()) << text << ": " << ref.error().message;
  return ref.value_or(Reference{});
}

std::string parse_error(std::string_view text) {
  Result<Reference> ref = parse_reference(text);
  EXPECT_FALSE(ref.has_value()) << text << " parsed as " << ref->str();
  if (ref.has_value()) return "";
  EXPECT_EQ(ref.error().kind, ErrorKind::kInvalidArgument) << text;
  return ref.error().message;
}

TEST(Reference, BareNameIsDockerHubLibraryLatest) {
  Reference ref = parse_ok("python");
  EXPECT_EQ(ref.registry, "docker.io");
  EXPECT_EQ(ref.repository, "library/python");
  EXPECT_EQ(ref.tag, "latest");
  EXPECT_EQ(ref.digest, "");
  EXPECT_EQ(ref.str(), "docker.io/library/python:latest");
  EXPECT_EQ(ref.api_host(), "registry-1.docker.io");
}

TEST(Reference, UserRepositoryOnDockerHubKeepsItsPath) {
  Reference ref = parse_ok("user/app:1.2");
  EXPECT_EQ(ref.str(), "docker.io/user/app:1.2");
  EXPECT_EQ(parse_ok("index.docker.io/library/alpine").str(), "docker.io/library/alpine:latest");
  EXPECT_EQ(parse_ok("docker.io/alpine").str(), "docker.io/library/alpine:latest");
}

TEST(Reference, RegistryWithPortIsNotATag) {
  Reference ref = parse_ok("127.0.0.1:5000/x/y");
  EXPECT_EQ(ref.registry, "127.0.0.1:5000");
  EXPECT_EQ(ref.repository, "x/y");
  EXPECT_EQ(ref.tag, "latest");
  EXPECT_EQ(ref.api_host(), "127.0.0.1:5000");
  EXPECT_EQ(parse_ok("localhost/app:v1").registry, "localhost");
  EXPECT_EQ(parse_ok("localhost:5000/app:v1").tag, "v1");
  EXPECT_EQ(parse_ok("ghcr.io/o/r:main").str(), "ghcr.io/o/r:main");
  EXPECT_EQ(parse_ok("[::1]:5000/app").registry, "[::1]:5000");
}

TEST(Reference, DigestWithAndWithoutTag) {
  Reference by_digest = parse_ok("alpine@" + kDigest);
  EXPECT_EQ(by_digest.tag, "");
  EXPECT_EQ(by_digest.digest, kDigest);
  EXPECT_EQ(by_digest.manifest_key(), kDigest);
  EXPECT_EQ(by_digest.str(), "docker.io/library/alpine@" + kDigest);
  Reference both = parse_ok("127.0.0.1:5000/a:v2@" + kDigest);
  EXPECT_EQ(both.tag, "v2");
  EXPECT_EQ(both.str(), "127.0.0.1:5000/a:v2@" + kDigest);
  EXPECT_EQ(both.manifest_key(), kDigest);
}

TEST(Reference, SeparatorsInsideComponents) {
  EXPECT_EQ(parse_ok("x/a.b_c__d---e/f").repository, "x/a.b_c__d---e/f");
  EXPECT_EQ(parse_ok("x:Tag_1.2-rc").tag, "Tag_1.2-rc");
  EXPECT_EQ(parse_ok("x:_t").tag, "_t");
}

TEST(Reference, RejectsEmptyAndBlankParts) {
  EXPECT_NE(parse_error("").find("empty"), std::string::npos);
  EXPECT_NE(parse_error(":tag").find("empty"), std::string::npos);
  parse_error("/app");
  parse_error("app/");
  parse_error("a//b");
  parse_error("app:");
  parse_error("app@");
  parse_error("127.0.0.1:5000/");
}

TEST(Reference, RejectsUppercaseRepository) {
  EXPECT_NE(parse_error("Python").find("lowercase"), std::string::npos);
  EXPECT_NE(parse_error("ghcr.io/Owner/r").find("lowercase"), std::string::npos);
}

TEST(Reference, RejectsBadComponentCharactersAndSeparators) {
  parse_error("py thon");
  parse_error(" python");
  parse_error("python ");
  parse_error("a$b");
  parse_error("-app");
  parse_error("app-");
  parse_error("a...b");
  parse_error("a___b");
  parse_error("a._b");
  parse_error(".app");
  parse_error("a\nb");
}

TEST(Reference, RejectsBadTags) {
  EXPECT_NE(parse_error("app:-x").find("tag"), std::string::npos);
  parse_error("app:.x");
  parse_error("app:a/b");  // a '/' after ':' makes "app:a" a registry without a repository
  parse_error("app:a+b");
  parse_error("app:" + std::string(129, 'a'));
  EXPECT_EQ(parse_ok("app:" + std::string(128, 'a')).tag.size(), 128u);
}

TEST(Reference, RejectsBadDigests) {
  EXPECT_NE(parse_error("app@sha256:abc").find("digest"), std::string::npos);
  EXPECT_NE(parse_error("app@sha512:" + std::string(128, 'a')).find("only sha256"),
            std::string::npos);
  std::string upper = kDigest;
  upper[9] = 'A';
  parse_error("app@" + upper);
  parse_error("app@" + kDigest + "@" + kDigest);
  parse_error("app@" + kDigest.substr(7));
}

TEST(Reference, RejectsBadRegistryHostOrPort) {
  EXPECT_NE(parse_error("host:0/app").find("registry"), std::string::npos);
  parse_error("host:65536/app");
  parse_error("host:12a/app");
  parse_error("host:/app");
  parse_error("-bad.io/app");
  parse_error("bad..io/app");
  parse_error("bad_host.io/app");
  parse_error("[zz]:5000/app");
  parse_error("[::1/app");
}

TEST(Reference, RejectsNamesOver255Characters) {
  std::string long_name = "r.io/" + std::string(251, 'a');
  EXPECT_NE(parse_error(long_name).find("255"), std::string::npos);
  EXPECT_TRUE(parse_reference("r.io/" + std::string(250, 'a')).has_value());
}

}  // namespace
}  // namespace msb::image
