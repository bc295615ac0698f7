#include "image/registry_auth.h"

#include <gtest/gtest.h>

#include "image/http_client.h"

namespace msb::image {
namespace {

TEST(Challenge, ParsesBearerParameters) {
  Result<Challenge> challenge = parse_challenge(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull")");
  ASSERT_TRUE(challenge.has_value()) << challenge.error().message;
  EXPECT_EQ(challenge->scheme, "bearer");
  EXPECT_EQ(challenge->params.at("realm"), "https://auth.docker.io/token");
  EXPECT_EQ(challenge->params.at("service"), "registry.docker.io");
  EXPECT_EQ(challenge->params.at("scope"), "repository:library/alpine:pull");
}

TEST(Challenge, ParsesBasicTokensAndEscapes) {
  Result<Challenge> basic = parse_challenge("Basic realm=\"a \\\"q\\\" b\" , charset=UTF-8");
  ASSERT_TRUE(basic.has_value());
  EXPECT_EQ(basic->scheme, "basic");
  EXPECT_EQ(basic->params.at("realm"), "a \"q\" b");
  EXPECT_EQ(basic->params.at("charset"), "UTF-8");
  EXPECT_TRUE(parse_challenge("Basic").has_value());
}

TEST(Challenge, RejectsMalformedHeaders) {
  for (const char* header : {"", "   ", "Bearer realm", "Bearer realm=\"unterminated", "Bearer =x",
                             "Bearer realm=\"a\" service=\"b\"", "Bearer realm=\"a\\"}) {
    EXPECT_FALSE(parse_challenge(header).has_value()) << header;
  }
}

TEST(Challenge, PicksBearerOverBasicAndSkipsGarbage) {
  Result<Challenge> picked =
      pick_challenge({"Basic realm=\"r\"", "garbage=", "Bearer realm=\"t\""}, "h");
  ASSERT_TRUE(picked.has_value());
  EXPECT_EQ(picked->scheme, "bearer");
  EXPECT_EQ(pick_challenge({"Basic realm=\"r\""}, "h")->scheme, "basic");
  Result<Challenge> none = pick_challenge({"Negotiate", "=bad"}, "h:1");
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().kind, ErrorKind::kPermissionDenied);
  EXPECT_NE(none.error().message.find("authentication failed for h:1"), std::string::npos);
}

TEST(Challenge, BasicWithoutCredentialsAsksForThem) {
  Result<std::unique_ptr<HttpClient>> http = HttpClient::create({});
  ASSERT_TRUE(http.has_value());
  Challenge basic{"basic", {}};
  Result<std::string> answer = answer_challenge(**http, basic, "h:1", "repo", std::nullopt);
  ASSERT_FALSE(answer.has_value());
  EXPECT_EQ(answer.error().kind, ErrorKind::kPermissionDenied);
  EXPECT_NE(answer.error().message.find("authentication required for h:1"), std::string::npos);
  EXPECT_EQ(*answer_challenge(**http, basic, "h:1", "repo", Credentials{"a", "b"}), "Basic YTpi");
  Result<std::string> no_realm = answer_challenge(**http, Challenge{"bearer", {}}, "h:1", "r", {});
  ASSERT_FALSE(no_realm.has_value());
  EXPECT_NE(no_realm.error().message.find("no realm"), std::string::npos);
}

TEST(HttpUrl, SplitsAuthorityWithDefaultPorts) {
  EXPECT_EQ(parse_url("https://r.io/v2/")->authority(), "r.io:443");
  EXPECT_EQ(parse_url("http://127.0.0.1:5000/x?y")->authority(), "127.0.0.1:5000");
  EXPECT_EQ(parse_url("http://127.0.0.1/x")->port, "80");
  EXPECT_FALSE(parse_url("not a url").has_value());
}

TEST(HttpUrl, EncodesReservedCharacters) {
  EXPECT_EQ(url_encode("repository:a/b:pull"), "repository%3Aa%2Fb%3Apull");
  EXPECT_EQ(url_encode("A-z_0.9~"), "A-z_0.9~");
  EXPECT_EQ(url_encode("a b&c"), "a%20b%26c");
}

}  // namespace
}  // namespace msb::image
