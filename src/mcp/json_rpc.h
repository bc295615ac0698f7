// JSON-RPC 2.0 as MCP uses it: vetting one incoming message and building the answers.
// MCP allows no batches (removed in revision 2025-06-18) and only string or integer ids.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

namespace msb::mcp {

namespace rpc_code {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
// MCP 2026-07-28: HTTP headers that disagree with the body, and a protocol version this
// server does not speak (data: {supported, requested}).
inline constexpr int kHeaderMismatch = -32020;
inline constexpr int kUnsupportedProtocolVersion = -32022;
}  // namespace rpc_code

// An error answer: `id` is the request's, or null when it could not be read.
struct RpcError {
  nlohmann::json id;
  int code = rpc_code::kInternalError;
  std::string message;
  nlohmann::json data;  // null: no data member
};

enum class MessageKind { kRequest, kNotification, kResponse };

// A well-formed incoming message. A request has an id (string or integer) and a method; a
// notification a method and no id; a response (to a request we never send) a result or error.
struct Incoming {
  MessageKind kind = MessageKind::kRequest;
  nlohmann::json id;  // null for a notification
  std::string method;
  nlohmann::json params = nlohmann::json::object();  // always an object
};

// Parses and vets one message: invalid JSON -32700; nesting past kMaxJsonDepth, a batch, a wrong
// "jsonrpc", an id that is not a string or integer, a method that is not a string: -32600; params
// that are not an object: -32602. The error carries the id when one could be read.
std::variant<Incoming, RpcError> read_message(std::string_view text);

nlohmann::json result_message(const nlohmann::json& id, nlohmann::json result);
nlohmann::json error_message(const RpcError& error);

// One message as a line of text: no newline inside (JSON escapes them), invalid UTF-8 from a
// guest replaced rather than failing the whole answer.
std::string serialize(const nlohmann::json& message);

}  // namespace msb::mcp
