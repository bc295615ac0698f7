#include "server/router.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "microsandbox/error.h"

namespace msb::server {
namespace {

ApiRequest request(std::string method, std::string path, std::string body = "") {
  ApiRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.body = std::move(body);
  return r;
}

Router sample_router() {
  Router router;
  router.add("GET", "/v1/sandboxes", "list", [](const ApiRequest&) {
    return ApiResponse{200, "application/json", "list"};
  });
  router.add("GET", "/v1/sandboxes/{name}", "get", [](const ApiRequest& r) {
    return ApiResponse{200, "application/json", "get " + r.params.at("name")};
  });
  router.add("POST", "/v1/sandboxes/{name}/stop", "stop", [](const ApiRequest&) -> ApiResponse {
    throw microsandbox::Error(microsandbox::ErrorKind::kStillRunning, "busy");
  });
  router.add("POST", "/v1/parse", "parse", [](const ApiRequest& r) {
    return ApiResponse{200, "application/json", nlohmann::json::parse(r.body).dump()};
  });
  return router;
}

std::string error_kind(const ApiResponse& response) {
  return nlohmann::json::parse(response.body)["error"]["kind"];
}

TEST(RouterTest, MatchesLiteralAndParameterSegments) {
  Router router = sample_router();
  EXPECT_EQ(router.dispatch(request("GET", "/v1/sandboxes")).body, "list");
  EXPECT_EQ(router.dispatch(request("GET", "/v1/sandboxes/job-1")).body, "get job-1");
}

TEST(RouterTest, ParametersArePercentDecodedAfterSplitting) {
  Router router = sample_router();
  EXPECT_EQ(router.dispatch(request("GET", "/v1/sandboxes/a%2Fb%20c")).body, "get a/b c");
}

TEST(RouterTest, MalformedEscapesAndEmptySegmentsDoNotMatch) {
  Router router = sample_router();
  EXPECT_EQ(router.dispatch(request("GET", "/v1/sandboxes/%zz")).status, 404);
  EXPECT_EQ(router.dispatch(request("GET", "/v1/sandboxes/%4")).status, 404);
  EXPECT_EQ(router.dispatch(request("GET", "/v1/sandboxes/")).status, 404);
  EXPECT_EQ(router.dispatch(request("GET", "/v1/sandboxes/a/b")).status, 404);
}

TEST(RouterTest, UnknownPathIs404AndWrongMethodIs405) {
  Router router = sample_router();
  ApiResponse missing = router.dispatch(request("GET", "/nope"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(error_kind(missing), "not-found");
  EXPECT_EQ(router.dispatch(request("DELETE", "/v1/sandboxes")).status, 405);
}

TEST(RouterTest, SdkErrorsBecomeTheirJsonError) {
  Router router = sample_router();
  ApiResponse response = router.dispatch(request("POST", "/v1/sandboxes/x/stop"));
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(error_kind(response), "still-running");
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["message"], "busy");
}

TEST(RouterTest, BadJsonBodyIs400) {
  Router router = sample_router();
  ApiResponse response = router.dispatch(request("POST", "/v1/parse", "{nope"));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(error_kind(response), "invalid-argument");
}

TEST(RouterTest, OnlyStreamingRoutesStreamTheirBody) {
  Router router;
  router.add("GET", "/v1/sandboxes/{name}/files", "download",
             [](const ApiRequest&) { return ApiResponse{}; });
  router.add_streaming("PUT", "/v1/sandboxes/{name}/files", "upload",
                       [](const ApiRequest& request) {
                         char piece[4];
                         std::string body;
                         while (size_t got = request.read_body(piece, sizeof(piece)))
                           body.append(piece, got);
                         return ApiResponse{200, "text/plain", body};
                       });
  EXPECT_TRUE(router.streams_body("PUT", "/v1/sandboxes/a%2Fb/files"));
  EXPECT_FALSE(router.streams_body("GET", "/v1/sandboxes/a/files"));
  EXPECT_FALSE(router.streams_body("PUT", "/v1/sandboxes/a/other"));
  ApiRequest upload = request("PUT", "/v1/sandboxes/a/files");
  std::string source = "hello, pieces";
  upload.read_body = [&](char* buffer, size_t size) {
    size_t got = std::min(size, source.size());
    source.copy(buffer, got);
    source.erase(0, got);
    return got;
  };
  EXPECT_EQ(router.dispatch(std::move(upload)).body, "hello, pieces");
}

TEST(PercentDecodeTest, DecodesAndRejects) {
  std::string out;
  EXPECT_TRUE(percent_decode("a%41%2f", out));
  EXPECT_EQ(out, "aA/");
  EXPECT_FALSE(percent_decode("%", out));
  EXPECT_FALSE(percent_decode("%a", out));
  EXPECT_FALSE(percent_decode("%g0", out));
}

}  // namespace
}  // namespace msb::server
