// McpServer: the Model Context Protocol over the SDK's tools, independent of the transport
// (stdio_transport.h reads lines, the API server's /mcp route reads POST bodies). It speaks
// both eras of the protocol (docs/design/mcp.md):
//   - 2026-07-28, the current revision: stateless. Every request carries its protocol
//     version and client capabilities in params._meta; server/discover replaces the
//     handshake; results carry resultType (and tools/list ttlMs, cacheScope).
//   - 2025-11-25 and earlier ("legacy"): initialize + notifications/initialized, then
//     requests without an envelope. No session ids: every request stands alone.
// Thread-safe: handle() keeps no state but the caller's Connection.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcp/json_rpc.h"
#include "mcp/mcp_options.h"
#include "mcp/tool.h"

namespace msb::mcp {

inline constexpr const char* kModernProtocolVersion = "2026-07-28";
inline constexpr const char* kLatestLegacyVersion = "2025-11-25";

// What one connection has shown so far. A stdio connection is one; over HTTP each POST is
// its own (the current revision has no sessions, and legacy sessions are optional).
struct Connection {
  enum class Era { kUndecided, kLegacy, kModern };
  Era era = Era::kUndecided;
  // The request's HTTP headers, names lower-cased; null on stdio. They are checked against
  // the body (MCP-Protocol-Version, Mcp-Method, Mcp-Name).
  const std::map<std::string, std::string>* http_headers = nullptr;
};

// A message vetted and classified, ready to run (run() may take minutes: a boot, a command).
struct Prepared {
  std::optional<nlohmann::json> answer;  // set: the answer is already known (an error, ...)
  int http_status = 200;                 // with `answer`, or 202 for what needs none
  Incoming message;
  bool modern = false;
};

struct McpAnswer {
  std::optional<nlohmann::json> message;  // none for notifications and responses
  int http_status = 200;                  // what an HTTP transport answers with
};

class McpServer {
 public:
  // The tools of tool_catalog.h.
  explicit McpServer(const McpOptions& options);
  // These tools instead (tests).
  explicit McpServer(std::vector<Tool> tools);

  // Cheap and quick (no I/O): parses and vets `text`, decides the era and updates
  // `connection`. Transports call it in message order.
  Prepared prepare(std::string_view text, Connection& connection) const;
  // Runs a prepared message: a tool call happens here. Safe to call from several threads.
  McpAnswer run(const Prepared& prepared) const;
  // prepare() then run().
  McpAnswer handle(std::string_view text, Connection& connection) const;

  const std::vector<Tool>& tools() const { return tools_; }

 private:
  // The era's rules: the 2026-07-28 envelope and, over HTTP, the headers that mirror it.
  std::optional<RpcError> check_envelope(const Incoming& message,
                                         const Connection& connection) const;
  nlohmann::json dispatch_legacy(const Incoming& message) const;
  nlohmann::json dispatch_modern(const Incoming& message, int& http_status) const;
  nlohmann::json call_tool(const Incoming& message) const;
  nlohmann::json list_tools(const Incoming& message, bool modern) const;

  std::vector<Tool> tools_;
  std::map<std::string, size_t> tool_index_;
};

}  // namespace msb::mcp
