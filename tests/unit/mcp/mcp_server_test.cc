#include "mcp/mcp_server.h"

#include <gtest/gtest.h>

#include <set>

#include "microsandbox/error.h"

namespace msb::mcp {
namespace {

using nlohmann::json;

const json kEnvelope = {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                        {"io.modelcontextprotocol/clientCapabilities", json::object()}};

json modern(json id, const std::string& method, json params = json::object()) {
  params["_meta"] = kEnvelope;
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
}

json legacy(json id, const std::string& method, json params = json::object()) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
}

// Echoes its argument; fails with the SDK's error when asked to.
Tool echo_tool() {
  return {"echo",
          "Echo",
          "Echoes its text.",
          {{"text", ParamType::kString, "What to echo", true},
           {"fail", ParamType::kBoolean, "Throw instead"}},
          {true, false, true, false},
          [](const ToolArgs& args) -> ToolResult {
            if (args.flag("fail"))
              throw microsandbox::Error(microsandbox::ErrorKind::kNotFound, "no such thing");
            return {{{"text", args.text("text")}}};
          }};
}

class McpServerTest : public ::testing::Test {
 protected:
  McpAnswer send(const json& message) { return server_.handle(message.dump(), connection_); }
  McpAnswer send_http(const json& message, std::map<std::string, std::string> headers) {
    Connection connection;
    connection.http_headers = &headers;
    return server_.handle(message.dump(), connection);
  }
  std::map<std::string, std::string> headers_for(const std::string& method,
                                                 const std::string& name = "") {
    std::map<std::string, std::string> headers = {{"mcp-protocol-version", "2026-07-28"},
                                                  {"mcp-method", method}};
    if (!name.empty()) headers["mcp-name"] = name;
    return headers;
  }

  McpServer server_{std::vector<Tool>{echo_tool()}};
  Connection connection_;
};

TEST_F(McpServerTest, LegacyInitializeEchoesAKnownVersionAndOffersTheLatestOtherwise) {
  json answer = *send(legacy(1, "initialize",
                             {{"protocolVersion", "2025-06-18"}, {"capabilities", json::object()}}))
                     .message;
  EXPECT_EQ(answer["result"]["protocolVersion"], "2025-06-18");
  EXPECT_EQ(answer["result"]["serverInfo"]["name"], "microsandbox");
  EXPECT_EQ(answer["result"]["capabilities"]["tools"]["listChanged"], false);
  EXPECT_FALSE(answer["result"].contains("resultType"));
  Connection other;
  json newer =
      *server_.handle(legacy(2, "initialize", {{"protocolVersion", "2099-01-01"}}).dump(), other)
           .message;
  EXPECT_EQ(newer["result"]["protocolVersion"], "2025-11-25");
  EXPECT_EQ(send(legacy(3, "initialize", {{"protocolVersion", 5}})).message->at("error")["code"],
            rpc_code::kInvalidParams);
}

TEST_F(McpServerTest, LegacyRequestsGetPlainResults) {
  EXPECT_EQ(send(legacy(1, "ping")).message->at("result"), json::object());
  json list = *send(legacy(2, "tools/list")).message;
  ASSERT_EQ(list["result"]["tools"].size(), 1u);
  EXPECT_FALSE(list["result"].contains("ttlMs"));
  McpAnswer unknown = send(legacy(3, "prompts/list"));
  EXPECT_EQ(unknown.http_status, 200);  // in-band in this era
  EXPECT_EQ(unknown.message->at("error")["code"], rpc_code::kMethodNotFound);
}

TEST_F(McpServerTest, DiscoverAnswersWithTheCurrentRevision) {
  json answer = *send(modern("probe", "server/discover")).message;
  const json& result = answer["result"];
  EXPECT_EQ(result["supportedVersions"], json::array({"2026-07-28"}));
  EXPECT_EQ(result["resultType"], "complete");
  EXPECT_EQ(result["ttlMs"], 0);
  EXPECT_EQ(result["cacheScope"], "private");
  EXPECT_TRUE(result["capabilities"].contains("tools"));
  EXPECT_EQ(result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"], "microsandbox");
  EXPECT_FALSE(result.contains("serverInfo"));
}

TEST_F(McpServerTest, ModernResultsCarryTheirResultTypeAndCacheHints) {
  json list = *send(modern(1, "tools/list")).message;
  EXPECT_EQ(list["result"]["resultType"], "complete");
  EXPECT_EQ(list["result"]["cacheScope"], "private");
  json call =
      *send(modern(2, "tools/call", {{"name", "echo"}, {"arguments", {{"text", "hi"}}}})).message;
  EXPECT_EQ(call["result"]["resultType"], "complete");
  EXPECT_EQ(call["result"]["structuredContent"]["text"], "hi");
  EXPECT_EQ(call["result"]["isError"], false);
  EXPECT_EQ(json::parse(call["result"]["content"][0]["text"].get<std::string>())["text"], "hi");
  McpAnswer ping = send(modern(3, "ping"));
  EXPECT_EQ(ping.http_status, 404);
  EXPECT_EQ(ping.message->at("error")["code"], rpc_code::kMethodNotFound);
}

TEST_F(McpServerTest, ToolFailuresAreResultsAndUnknownToolsAreErrors) {
  json failed = *send(modern(1, "tools/call",
                             {{"name", "echo"}, {"arguments", {{"text", "x"}, {"fail", true}}}}))
                     .message;
  EXPECT_EQ(failed["result"]["isError"], true);
  EXPECT_EQ(failed["result"]["structuredContent"]["error"]["kind"], "not-found");
  EXPECT_EQ(failed["result"]["content"][0]["text"], "not-found: no such thing");
  json invalid =
      *send(modern(2, "tools/call", {{"name", "echo"}, {"arguments", {{"txt", "x"}}}})).message;
  EXPECT_EQ(invalid["result"]["isError"], true);
  EXPECT_EQ(invalid["result"]["structuredContent"]["error"]["kind"], "invalid-argument");
  EXPECT_EQ(send(modern(3, "tools/call", {{"name", "nope"}})).message->at("error")["code"],
            rpc_code::kInvalidParams);
  EXPECT_EQ(send(modern(4, "tools/call", {{"name", 1}})).message->at("error")["code"],
            rpc_code::kInvalidParams);
}

TEST_F(McpServerTest, AnUnsupportedVersionNamesTheSupportedOne) {
  json message = modern(1, "tools/list");
  message["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = "2099-01-01";
  McpAnswer answer = send(message);
  EXPECT_EQ(answer.http_status, 400);
  const json& error = answer.message->at("error");
  EXPECT_EQ(error["code"], rpc_code::kUnsupportedProtocolVersion);
  EXPECT_EQ(error["data"]["supported"], json::array({"2026-07-28"}));
  EXPECT_EQ(error["data"]["requested"], "2099-01-01");
  message["params"]["_meta"].erase("io.modelcontextprotocol/clientCapabilities");
  message["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = "2026-07-28";
  EXPECT_EQ(send(message).message->at("error")["code"], rpc_code::kInvalidParams);
}

TEST_F(McpServerTest, HttpHeadersMustMirrorTheBody) {
  json call = modern(1, "tools/call", {{"name", "echo"}, {"arguments", {{"text", "x"}}}});
  EXPECT_EQ(send_http(call, headers_for("tools/call", "echo")).http_status, 200);
  // Base64-wrapped header values are decoded first.
  EXPECT_EQ(send_http(call, headers_for("tools/call", "=?base64?ZWNobw==?=")).http_status, 200);
  for (auto headers : {headers_for("tools/list", "echo"), headers_for("tools/call", "other"),
                       headers_for("tools/call")}) {
    McpAnswer answer = send_http(call, headers);
    EXPECT_EQ(answer.http_status, 400);
    EXPECT_EQ(answer.message->at("error")["code"], rpc_code::kHeaderMismatch);
  }
  auto no_version = headers_for("tools/call", "echo");
  no_version.erase("mcp-protocol-version");
  EXPECT_EQ(send_http(call, no_version).message->at("error")["code"], rpc_code::kHeaderMismatch);
  // Notifications need no mirrored headers.
  json notification = {{"jsonrpc", "2.0"},
                       {"method", "notifications/cancelled"},
                       {"params", {{"_meta", kEnvelope}}}};
  McpAnswer accepted = send_http(notification, {});
  EXPECT_EQ(accepted.http_status, 202);
  EXPECT_FALSE(accepted.message);
}

TEST_F(McpServerTest, HttpLegacyRequestsAreCheckedAgainstTheirVersionHeader) {
  EXPECT_EQ(
      send_http(legacy(1, "tools/list"), {{"mcp-protocol-version", "2025-06-18"}}).http_status,
      200);
  EXPECT_EQ(send_http(legacy(1, "tools/list"), {{"mcp-protocol-version", "1999-01-01"}})
                .message->at("error")["code"],
            rpc_code::kInvalidRequest);
  EXPECT_EQ(send_http(legacy(1, "tools/list"), {{"mcp-protocol-version", "2026-07-28"}})
                .message->at("error")["code"],
            rpc_code::kInvalidParams);
}

TEST_F(McpServerTest, AConnectionKeepsTheEraItBeganIn) {
  send(modern(1, "tools/list"));
  EXPECT_EQ(connection_.era, Connection::Era::kModern);
  EXPECT_EQ(send(legacy(2, "initialize", {{"protocolVersion", "2025-11-25"}}))
                .message->at("error")["code"],
            rpc_code::kUnsupportedProtocolVersion);
  EXPECT_EQ(send(legacy(3, "tools/list")).message->at("error")["code"], rpc_code::kInvalidParams);

  Connection legacy_connection;
  server_.handle(legacy(1, "initialize", {{"protocolVersion", "2025-11-25"}}).dump(),
                 legacy_connection);
  EXPECT_EQ(legacy_connection.era, Connection::Era::kLegacy);
  // The current revision's requests are still served there.
  json list = *server_.handle(modern(2, "tools/list").dump(), legacy_connection).message;
  EXPECT_EQ(list["result"]["resultType"], "complete");
}

TEST_F(McpServerTest, NotificationsAndResponsesGetNoAnswer) {
  for (const json& message :
       {json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}},
        json{{"jsonrpc", "2.0"}, {"method", "notifications/unknown"}},
        json{{"jsonrpc", "2.0"}, {"id", 9}, {"result", json::object()}},
        json{{"jsonrpc", "2.0"},
             {"method", "notifications/x"},
             {"params", {{"_meta", {{"io.modelcontextprotocol/protocolVersion", "1"}}}}}}}) {
    McpAnswer answer = send(message);
    EXPECT_FALSE(answer.message) << message;
    EXPECT_EQ(answer.http_status, 202);
  }
}

TEST(McpTools, EveryToolIsDeclaredOnceWithUniqueParameters) {
  McpServer server{McpOptions{}};
  std::set<std::string> names;
  for (const Tool& tool : server.tools()) {
    EXPECT_TRUE(names.insert(tool.name).second) << tool.name;
    EXPECT_FALSE(tool.description.empty()) << tool.name;
    std::set<std::string> params;
    for (const Param& param : tool.params)
      EXPECT_TRUE(params.insert(param.name).second) << tool.name << "." << param.name;
  }
  EXPECT_EQ(names.size(), 21u);
  EXPECT_TRUE(names.contains("sandbox_run_code"));
}

}  // namespace
}  // namespace msb::mcp
