#include "mcp/mcp_server.h"

#include <algorithm>
#include <array>

#include "common/base64.h"
#include "mcp/tool_catalog.h"
#include "microsandbox/error.h"

namespace msb::mcp {

namespace {

using nlohmann::json;

constexpr const char* kVersionKey = "io.modelcontextprotocol/protocolVersion";
constexpr const char* kCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities";
constexpr const char* kServerInfoKey = "io.modelcontextprotocol/serverInfo";
constexpr std::array<const char*, 4> kLegacyVersions = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                        "2024-11-05"};

constexpr const char* kInstructions =
    "Tools to run untrusted code in microsandbox sandboxes (microVMs booted from OCI images). "
    "For a one-off command use sandbox_run or sandbox_run_code. For several steps, "
    "sandbox_create a named sandbox, then sandbox_exec / sandbox_shell and the sandbox_fs_* "
    "tools, and sandbox_remove it (with force) when done: created sandboxes keep running.";

json server_info() {
  return {{"name", "microsandbox"}, {"title", "microsandbox"}, {"version", MSB_VERSION}};
}

json capabilities() { return {{"tools", {{"listChanged", false}}}}; }

bool legacy_version(const std::string& version) {
  return std::find(kLegacyVersions.begin(), kLegacyVersions.end(), version) !=
         kLegacyVersions.end();
}

// A header value as the client meant it: values that are not plain ASCII, or are empty or
// padded, are sent as "=?base64?<utf-8 bytes in base64>?=".
std::optional<std::string> header(const Connection& connection, const std::string& name) {
  if (!connection.http_headers) return std::nullopt;
  auto it = connection.http_headers->find(name);
  if (it == connection.http_headers->end()) return std::nullopt;
  const std::string& value = it->second;
  if (value.size() >= 12 && value.starts_with("=?base64?") && value.ends_with("?=")) {
    std::optional<std::string> decoded = base64_decode(value.substr(9, value.size() - 11));
    if (decoded) return decoded;
  }
  return value;
}

RpcError error(const json& id, int code, std::string message, json data = nullptr) {
  return RpcError{id, code, std::move(message), std::move(data)};
}

RpcError header_mismatch(const json& id, const std::string& header_name,
                         const std::optional<std::string>& in_header, const std::string& in_body) {
  std::string shown = in_header.value_or("(missing)");
  return error(id, rpc_code::kHeaderMismatch,
               "Bad Request: the " + header_name + " header (" + shown +
                   ") disagrees with the body (" + in_body + ")",
               {{"mismatch", {{"header", shown}, {"body", in_body}}}});
}

json tool_error(const std::string& kind, const std::string& message) {
  return {{"content", {{{"type", "text"}, {"text", kind + ": " + message}}}},
          {"structuredContent", {{"error", {{"kind", kind}, {"message", message}}}}},
          {"isError", true}};
}

}  // namespace

McpServer::McpServer(const McpOptions& options) : McpServer(all_tools(options)) {}

McpServer::McpServer(std::vector<Tool> tools) : tools_(std::move(tools)) {
  for (size_t i = 0; i < tools_.size(); ++i) tool_index_[tools_[i].name] = i;
}

McpAnswer McpServer::handle(std::string_view text, Connection& connection) const {
  return run(prepare(text, connection));
}

Prepared McpServer::prepare(std::string_view text, Connection& connection) const {
  Prepared prepared;
  auto read = read_message(text);
  if (auto* failure = std::get_if<RpcError>(&read)) {
    prepared.answer = error_message(*failure);
    prepared.http_status = 400;
    return prepared;
  }
  prepared.message = std::get<Incoming>(std::move(read));
  const Incoming& message = prepared.message;
  if (message.kind == MessageKind::kResponse) {
    prepared.http_status = 202;  // we never ask the client anything: nothing to match it to
    return prepared;
  }
  const json& meta = message.params.value("_meta", json::object());
  prepared.modern = meta.is_object() && meta.contains(kVersionKey);
  if (std::optional<RpcError> failure = check_envelope(message, connection)) {
    if (message.kind == MessageKind::kNotification) {
      prepared.http_status = 202;  // a notification gets no answer, not even an error
    } else {
      prepared.answer = error_message(*failure);
      prepared.http_status = 400;
    }
    return prepared;
  }
  if (connection.era == Connection::Era::kUndecided)
    connection.era = prepared.modern ? Connection::Era::kModern : Connection::Era::kLegacy;
  if (message.kind == MessageKind::kNotification) prepared.http_status = 202;
  return prepared;
}

std::optional<RpcError> McpServer::check_envelope(const Incoming& message,
                                                  const Connection& connection) const {
  const json& id = message.id;
  const json& meta = message.params.value("_meta", json::object());
  std::optional<std::string> header_version = header(connection, "mcp-protocol-version");
  if (!meta.is_object() || !meta.contains(kVersionKey)) {
    // Legacy: an initialize on a connection that began in the current revision, or a
    // request without the envelope there, cannot be served in the era it claims.
    if (message.method == "initialize" && connection.era == Connection::Era::kModern)
      return error(id, rpc_code::kUnsupportedProtocolVersion,
                   "Unsupported protocol version: this connection speaks 2026-07-28",
                   {{"supported", {kModernProtocolVersion}},
                    {"requested", message.params.value("protocolVersion", json(""))}});
    if (connection.era == Connection::Era::kModern || header_version == kModernProtocolVersion)
      return error(id, rpc_code::kInvalidParams,
                   "Invalid params: the request is missing the _meta envelope (" +
                       std::string(kVersionKey) + ") that protocol 2026-07-28 requires");
    if (header_version && !legacy_version(*header_version))
      return error(id, rpc_code::kInvalidRequest,
                   "Bad Request: unsupported MCP-Protocol-Version " + *header_version);
    return std::nullopt;
  }
  const json& version = meta[kVersionKey];
  if (!version.is_string() || version != kModernProtocolVersion)
    return error(id, rpc_code::kUnsupportedProtocolVersion,
                 "Unsupported protocol version: " +
                     (version.is_string() ? version.get<std::string>() : version.dump()),
                 {{"supported", {kModernProtocolVersion}}, {"requested", version}});
  if (!meta.contains(kCapabilitiesKey) || !meta[kCapabilitiesKey].is_object())
    return error(id, rpc_code::kInvalidParams,
                 std::string("Invalid _meta envelope: ") + kCapabilitiesKey + " must be an object",
                 {{"envelope", {{"key", kCapabilitiesKey}, {"problem", "missing"}}}});
  if (!connection.http_headers || message.kind == MessageKind::kNotification) return std::nullopt;
  // Streamable HTTP: the headers a proxy routes by must say what the body says.
  if (header_version != version.get<std::string>())
    return header_mismatch(id, "MCP-Protocol-Version", header_version, version);
  std::optional<std::string> header_method = header(connection, "mcp-method");
  if (header_method != message.method)
    return header_mismatch(id, "Mcp-Method", header_method, message.method);
  if (message.method == "tools/call") {
    std::string name =
        message.params.value("name", json("")).is_string() ? message.params.value("name", "") : "";
    std::optional<std::string> header_name = header(connection, "mcp-name");
    if (header_name != name) return header_mismatch(id, "Mcp-Name", header_name, name);
  }
  return std::nullopt;
}

McpAnswer McpServer::run(const Prepared& prepared) const {
  if (prepared.answer || prepared.http_status == 202)
    return {prepared.answer, prepared.http_status};
  int status = 200;
  json answer = prepared.modern ? dispatch_modern(prepared.message, status)
                                : dispatch_legacy(prepared.message);
  return {std::move(answer), status};
}

json McpServer::dispatch_legacy(const Incoming& message) const {
  const json& id = message.id;
  if (message.method == "initialize") {
    const json& requested = message.params.value("protocolVersion", json());
    if (!requested.is_string())
      return error_message(
          error(id, rpc_code::kInvalidParams, "Invalid params: protocolVersion must be a string"));
    // A version we speak is echoed; any other gets our latest, and the client decides.
    std::string version =
        legacy_version(requested) ? requested.get<std::string>() : kLatestLegacyVersion;
    return result_message(id, {{"protocolVersion", version},
                               {"capabilities", capabilities()},
                               {"serverInfo", server_info()},
                               {"instructions", kInstructions}});
  }
  if (message.method == "ping") return result_message(id, json::object());
  if (message.method == "tools/list") return list_tools(message, false);
  if (message.method == "tools/call") return call_tool(message);
  return error_message(error(id, rpc_code::kMethodNotFound, "Method not found: " + message.method));
}

json McpServer::dispatch_modern(const Incoming& message, int& http_status) const {
  json answer;
  if (message.method == "server/discover") {
    answer = result_message(message.id, {{"supportedVersions", {kModernProtocolVersion}},
                                         {"capabilities", capabilities()},
                                         {"instructions", kInstructions},
                                         {"ttlMs", 0},
                                         {"cacheScope", "private"}});
  } else if (message.method == "tools/list") {
    answer = list_tools(message, true);
  } else if (message.method == "tools/call") {
    answer = call_tool(message);
  } else {
    http_status = 404;
    return error_message(
        error(message.id, rpc_code::kMethodNotFound, "Method not found: " + message.method));
  }
  if (answer.contains("result")) {
    answer["result"]["resultType"] = "complete";
    answer["result"]["_meta"] = {{kServerInfoKey, server_info()}};
  }
  return answer;
}

json McpServer::list_tools(const Incoming& message, bool modern) const {
  // One page holds every tool, so no cursor of ours exists to continue from.
  if (message.params.contains("cursor"))
    return error_message(
        error(message.id, rpc_code::kInvalidParams, "Invalid params: unknown cursor"));
  json tools = json::array();
  for (const Tool& tool : tools_) tools.push_back(tool.definition());
  json result = {{"tools", tools}};
  if (modern) result.update({{"ttlMs", 0}, {"cacheScope", "private"}});
  return result_message(message.id, result);
}

json McpServer::call_tool(const Incoming& message) const {
  const json& name = message.params.value("name", json());
  if (!name.is_string())
    return error_message(
        error(message.id, rpc_code::kInvalidParams, "Invalid params: name must be a string"));
  auto found = tool_index_.find(name.get<std::string>());
  if (found == tool_index_.end())
    return error_message(error(message.id, rpc_code::kInvalidParams,
                               "Invalid params: tool " + name.get<std::string>() + " not found"));
  const Tool& tool = tools_[found->second];
  Result<ToolArgs> args = ToolArgs::check(tool.params, message.params.value("arguments", json()));
  if (!args)
    return result_message(message.id, tool_error("invalid-argument", "Input validation error: " +
                                                                         args.error().message));
  try {
    ToolResult result = tool.run(*args);
    return result_message(
        message.id,
        {{"content",
          {{{"type", "text"},
            {"text", result.structured.dump(2, ' ', false, json::error_handler_t::replace)}}}},
         {"structuredContent", result.structured},
         {"isError", result.is_error}});
  } catch (const microsandbox::Error& failure) {
    return result_message(
        message.id, tool_error(microsandbox::error_kind_name(failure.kind()), failure.what()));
  } catch (const std::exception& failure) {
    return result_message(message.id, tool_error("internal", failure.what()));
  }
}

}  // namespace msb::mcp
