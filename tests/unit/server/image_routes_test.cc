#include "server/image_routes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/api.h"

namespace msb::server {
namespace {

using nlohmann::json;

std::string rejection(const json& body) {
  try {
    parse_pull_request(body);
  } catch (const microsandbox::Error& error) {
    EXPECT_EQ(error.kind(), microsandbox::ErrorKind::kInvalidArgument);
    return error.what();
  }
  return "";
}

TEST(PullRequestTest, TakesTheReferenceAndInsecure) {
  PullRequest pull = parse_pull_request({{"reference", "127.0.0.1:5000/app:1"}});
  EXPECT_EQ(pull.reference, "127.0.0.1:5000/app:1");
  EXPECT_FALSE(pull.options.insecure);
  EXPECT_TRUE(parse_pull_request({{"reference", "x"}, {"insecure", true}}).options.insecure);
}

TEST(PullRequestTest, BadBodiesNameTheKey) {
  EXPECT_NE(rejection(json::object()).find("reference"), std::string::npos);
  EXPECT_NE(rejection({{"reference", ""}}).find("reference"), std::string::npos);
  EXPECT_NE(rejection({{"reference", 5}}).find("reference"), std::string::npos);
  EXPECT_NE(rejection({{"reference", "x"}, {"insecure", "yes"}}).find("insecure"),
            std::string::npos);
  EXPECT_NE(rejection({{"reference", "x"}, {"refrence", "y"}}).find("refrence: unknown key"),
            std::string::npos);
}

// Checked before any store access, so these need no $MSB_HOME.
TEST(ImageRoutesTest, BadFlagsAndBodiesAre400) {
  Router router;
  ApiState state;
  add_api_routes(router, state);
  auto call = [&](std::string method, std::string path, std::string query_key = "",
                  std::string query_value = "", std::string body = "") {
    ApiRequest request;
    request.method = std::move(method);
    request.path = std::move(path);
    if (!query_key.empty()) request.query.emplace(query_key, query_value);
    request.body = std::move(body);
    return router.dispatch(std::move(request)).status;
  };
  EXPECT_EQ(call("DELETE", "/v1/images/busybox%3Alatest", "force", "maybe"), 400);
  EXPECT_EQ(call("POST", "/v1/images/pull", "", "", "[]"), 400);
  EXPECT_EQ(call("POST", "/v1/images/pull", "", "", "{\"reference\": 1}"), 400);
  EXPECT_EQ(call("POST", "/v1/images/pull", "progress", "yes", "{\"reference\": \"x\"}"), 400);
  EXPECT_EQ(call("GET", "/v1/sandboxes/job/logs", "follow", "1"), 400);
  EXPECT_EQ(call("PUT", "/v1/images/pull"), 405);
}

}  // namespace
}  // namespace msb::server
