#include "server/api_error.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace msb::server {
namespace {

using microsandbox::ErrorKind;

TEST(ApiErrorTest, StatusesFollowTheKinds) {
  EXPECT_EQ(http_status_for(ErrorKind::kNotFound), 404);
  EXPECT_EQ(http_status_for(ErrorKind::kImageNotFound), 404);
  EXPECT_EQ(http_status_for(ErrorKind::kAlreadyExists), 409);
  EXPECT_EQ(http_status_for(ErrorKind::kStillRunning), 409);
  EXPECT_EQ(http_status_for(ErrorKind::kImageInUse), 409);
  EXPECT_EQ(http_status_for(ErrorKind::kInvalidArgument), 400);
  EXPECT_EQ(http_status_for(ErrorKind::kInvalidConfig), 400);
  EXPECT_EQ(http_status_for(ErrorKind::kExecFailed), 422);
  EXPECT_EQ(http_status_for(ErrorKind::kTimeout), 504);
  EXPECT_EQ(http_status_for(ErrorKind::kUnsupported), 501);
  EXPECT_EQ(http_status_for(ErrorKind::kIo), 500);
}

TEST(ApiErrorTest, BodyIsTheErrorEnvelope) {
  ApiResponse response =
      error_response(microsandbox::Error(ErrorKind::kNotFound, "sandbox 'x' not found"));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(
      body,
      (nlohmann::json{{"error", {{"kind", "not-found"}, {"message", "sandbox 'x' not found"}}}}));
}

}  // namespace
}  // namespace msb::server
