#include "image/curl_api.h"

#include <gtest/gtest.h>

#include "image/http_client.h"

namespace msb::image {
namespace {

TEST(CurlApiTest, LoadsLibcurlOnceAndGivesTheSameTable) {
  Result<const CurlApi*> first = curl_api();
  ASSERT_TRUE(first) << first.error().message;
  Result<const CurlApi*> second = curl_api();
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(*first, *second);
  const CurlApi& curl = **first;
  CURL* handle = curl.easy_init();
  ASSERT_NE(handle, nullptr);
  EXPECT_EQ(curl.easy_setopt(handle, CURLOPT_URL, "http://127.0.0.1:1/"), CURLE_OK);
  curl.easy_cleanup(handle);
  EXPECT_STREQ(curl.easy_strerror(CURLE_OK), "No error");
}

TEST(CurlApiTest, UrlsParseThroughTheLoadedLibrary) {
  Result<UrlParts> parts = parse_url("https://registry.example:5000/v2/");
  ASSERT_TRUE(parts) << parts.error().message;
  EXPECT_EQ(parts->scheme, "https");
  EXPECT_EQ(parts->authority(), "registry.example:5000");
  Result<UrlParts> default_port = parse_url("https://registry.example/v2/");
  ASSERT_TRUE(default_port) << default_port.error().message;
  EXPECT_EQ(default_port->authority(), "registry.example:443");
  EXPECT_EQ(parse_url("not a url").error().kind, ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace msb::image
