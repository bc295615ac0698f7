#include "server/api_error.h"

#include <gtest/gtest.h>

#include <cerrno>
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

TEST(ApiErrorTest, IoErrorsWithATellingErrnoGetItsStatus) {
  EXPECT_EQ(error_response(microsandbox::Error(ErrorKind::kIo, "rmdir /d", ENOTEMPTY)).status, 409);
  EXPECT_EQ(error_response(microsandbox::Error(ErrorKind::kIo, "open /x", EROFS)).status, 403);
  EXPECT_EQ(error_response(microsandbox::Error(ErrorKind::kIo, "open /x", ENOTDIR)).status, 400);
  EXPECT_EQ(error_response(microsandbox::Error(ErrorKind::kIo, "read /x", EIO)).status, 500);
  EXPECT_EQ(nlohmann::json::parse(
                error_response(microsandbox::Error(ErrorKind::kIo, "rmdir /d", ENOTEMPTY))
                    .body)["error"]["kind"],
            "io");
}

}  // namespace
}  // namespace msb::server
