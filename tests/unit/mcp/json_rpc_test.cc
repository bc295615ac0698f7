#include "mcp/json_rpc.h"

#include <gtest/gtest.h>

namespace msb::mcp {
namespace {

using nlohmann::json;

RpcError error_of(std::string_view text) {
  auto read = read_message(text);
  EXPECT_TRUE(std::holds_alternative<RpcError>(read)) << text;
  return std::holds_alternative<RpcError>(read) ? std::get<RpcError>(read) : RpcError{};
}

Incoming incoming_of(std::string_view text) {
  auto read = read_message(text);
  EXPECT_TRUE(std::holds_alternative<Incoming>(read)) << text;
  return std::holds_alternative<Incoming>(read) ? std::get<Incoming>(read) : Incoming{};
}

TEST(ReadMessage, ClassifiesRequestsNotificationsAndResponses) {
  Incoming request = incoming_of(R"({"jsonrpc":"2.0","id":"a","method":"tools/list"})");
  EXPECT_EQ(request.kind, MessageKind::kRequest);
  EXPECT_EQ(request.id, "a");
  EXPECT_EQ(request.params, json::object());
  Incoming notification = incoming_of(R"({"jsonrpc":"2.0","method":"x","params":{"k":1}})");
  EXPECT_EQ(notification.kind, MessageKind::kNotification);
  EXPECT_EQ(notification.params["k"], 1);
  EXPECT_EQ(incoming_of(R"({"jsonrpc":"2.0","id":3,"result":{}})").kind, MessageKind::kResponse);
  EXPECT_EQ(incoming_of(R"({"jsonrpc":"2.0","id":3,"method":"m","params":null})").params,
            json::object());
}

TEST(ReadMessage, RejectsMalformedInputWithTheRightCode) {
  EXPECT_EQ(error_of("{").code, rpc_code::kParseError);
  EXPECT_EQ(error_of("").code, rpc_code::kParseError);
  EXPECT_EQ(error_of("[]").code, rpc_code::kInvalidRequest);
  EXPECT_EQ(error_of(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])").code,
            rpc_code::kInvalidRequest);
  EXPECT_EQ(error_of("null").code, rpc_code::kInvalidRequest);
  EXPECT_EQ(error_of(R"({"id":1,"method":"ping"})").code, rpc_code::kInvalidRequest);
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":null,"method":"ping"})").code,
            rpc_code::kInvalidRequest);
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})").code,
            rpc_code::kInvalidRequest);
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":1,"method":""})").code, rpc_code::kInvalidRequest);
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":1})").code, rpc_code::kInvalidRequest);
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":1,"method":"m","params":[1]})").code,
            rpc_code::kInvalidParams);
}

TEST(ReadMessage, RefusesDeepNestingBeforeParsing) {
  std::string deep = R"({"jsonrpc":"2.0","id":1,"method":"m","params":{"x":)" +
                     std::string(100000, '[') + std::string(100000, ']') + "}}";
  RpcError error = error_of(deep);
  EXPECT_EQ(error.code, rpc_code::kInvalidRequest);
  EXPECT_EQ(error.id, nullptr);
  EXPECT_NE(error.message.find("nested deeper"), std::string::npos);
}

TEST(ReadMessage, KeepsTheIdWhenItCouldBeRead) {
  EXPECT_EQ(error_of(R"({"jsonrpc":"1.0","id":7,"method":"ping"})").id, 7);
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":{},"method":"ping"})").id, nullptr);
  EXPECT_EQ(error_of("{").id, nullptr);
}

TEST(Serialize, IsOneLineAndSurvivesInvalidUtf8) {
  json message = result_message(1, {{"text", std::string("a\nb\xff")}});
  std::string line = serialize(message);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find("a\\nb"), std::string::npos);
  RpcError error{2, rpc_code::kInvalidParams, "bad", {{"why", 1}}};
  EXPECT_EQ(error_message(error),
            json({{"jsonrpc", "2.0"},
                  {"id", 2},
                  {"error", {{"code", -32602}, {"message", "bad"}, {"data", {{"why", 1}}}}}}));
}

}  // namespace
}  // namespace msb::mcp
