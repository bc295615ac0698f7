#include "server/exec_request.h"

#include <gtest/gtest.h>

namespace msb::server {
namespace {

using nlohmann::json;

std::string rejection(const json& body, bool streamed) {
  try {
    parse_exec_request(body, streamed);
  } catch (const microsandbox::Error& error) {
    EXPECT_EQ(error.kind(), microsandbox::ErrorKind::kInvalidArgument);
    return error.what();
  }
  return "";
}

TEST(ExecRequestTest, OneShotTakesStdinData) {
  ExecRequest request = parse_exec_request(
      {{"cmd", "cat"}, {"args", {"-"}}, {"stdin", "hi"}, {"env", {{"A", "1"}}}, {"timeout_ms", 5}},
      false);
  EXPECT_EQ(request.cmd, "cat");
  EXPECT_EQ(request.args, std::vector<std::string>{"-"});
  EXPECT_EQ(request.options.stdin_data, "hi");
  EXPECT_FALSE(request.options.stdin_stream);
  EXPECT_EQ(request.options.timeout, std::chrono::milliseconds(5));
}

TEST(ExecRequestTest, StreamedStdinIsPipeByDefault) {
  EXPECT_TRUE(parse_exec_request({{"cmd", "cat"}}, true).options.stdin_stream);
  EXPECT_FALSE(parse_exec_request({{"cmd", "cat"}, {"stdin", "null"}}, true).options.stdin_stream);
  EXPECT_NE(rejection({{"cmd", "cat"}, {"stdin", "data"}}, true).find("pipe or null"),
            std::string::npos);
}

TEST(ExecRequestTest, BadBodiesNameTheKey) {
  EXPECT_NE(rejection(json::object(), false).find("cmd"), std::string::npos);
  EXPECT_NE(rejection({{"cmd", ""}}, false).find("cmd"), std::string::npos);
  EXPECT_NE(rejection({{"cmd", "x"}, {"argz", {}}}, false).find("argz: unknown key"),
            std::string::npos);
  EXPECT_NE(rejection({{"cmd", "x"}, {"args", {1}}}, false).find("args"), std::string::npos);
  EXPECT_NE(rejection({{"cmd", "x"}, {"env", {{"A", 1}}}}, false).find("env.A"), std::string::npos);
  EXPECT_NE(rejection({{"cmd", "x"}, {"timeout_ms", -1}}, false).find("timeout_ms"),
            std::string::npos);
  EXPECT_NE(rejection({{"cmd", "x"}, {"tty", "yes"}}, false).find("tty"), std::string::npos);
}

}  // namespace
}  // namespace msb::server
