#include "mcp/json_rpc.h"

#include "common/json_depth.h"

namespace msb::mcp {

namespace {

using nlohmann::json;

bool valid_id(const json& id) { return id.is_string() || id.is_number_integer(); }

}  // namespace

std::variant<Incoming, RpcError> read_message(std::string_view text) {
  if (json_nests_deeper_than(text, kMaxJsonDepth))
    return RpcError{
        nullptr, rpc_code::kInvalidRequest,
        "Invalid Request: nested deeper than " + std::to_string(kMaxJsonDepth) + " levels",
        nullptr};
  json message = json::parse(text, nullptr, false);
  if (message.is_discarded())
    return RpcError{nullptr, rpc_code::kParseError, "Parse error: not valid JSON", nullptr};
  if (message.is_array())
    return RpcError{nullptr, rpc_code::kInvalidRequest,
                    "Invalid Request: batches are not supported (MCP removed JSON-RPC "
                    "batching in revision 2025-06-18)",
                    nullptr};
  if (!message.is_object())
    return RpcError{nullptr, rpc_code::kInvalidRequest, "Invalid Request: not an object", nullptr};
  json id = nullptr;
  auto id_member = message.find("id");
  if (id_member != message.end()) {
    if (!valid_id(*id_member))
      return RpcError{nullptr, rpc_code::kInvalidRequest,
                      "Invalid Request: id must be a string or an integer", nullptr};
    id = *id_member;
  }
  auto invalid = [&id](std::string why) {
    return RpcError{id, rpc_code::kInvalidRequest, "Invalid Request: " + why, nullptr};
  };
  if (message.value("jsonrpc", json()) != "2.0") return invalid("jsonrpc must be \"2.0\"");
  auto method = message.find("method");
  if (method == message.end()) {
    if (id_member != message.end() && (message.contains("result") || message.contains("error")))
      return Incoming{MessageKind::kResponse, id, "", json::object()};
    return invalid("no method");
  }
  if (!method->is_string() || method->get<std::string>().empty())
    return invalid("method must be a non-empty string");
  Incoming incoming{id_member == message.end() ? MessageKind::kNotification : MessageKind::kRequest,
                    id, method->get<std::string>(), json::object()};
  auto params = message.find("params");
  if (params != message.end() && !params->is_null()) {
    if (!params->is_object())
      return RpcError{id, rpc_code::kInvalidParams, "Invalid params: must be an object", nullptr};
    incoming.params = std::move(*params);
  }
  return incoming;
}

json result_message(const json& id, json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json error_message(const RpcError& error) {
  json body = {{"code", error.code}, {"message", error.message}};
  if (!error.data.is_null()) body["data"] = error.data;
  return {{"jsonrpc", "2.0"}, {"id", error.id}, {"error", std::move(body)}};
}

std::string serialize(const json& message) {
  return message.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace msb::mcp
