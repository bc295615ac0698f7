// The sandbox routes of the API: list, create, get, remove, start, stop, kill, drain, logs
// and one-shot exec (docs/api/openapi.json has each with its schema).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "mcp/mcp_server.h"
#include "microsandbox/sandbox.h"
#include "server/exec_sessions.h"
#include "server/router.h"
#include "server/sandbox_handles.h"

namespace msb::server {

// Handles of the sandboxes created or started attached to the server: they stop when the
// server exits (their handles go). The others outlive it.
class AttachedSandboxes {
 public:
  void keep(microsandbox::Sandbox sandbox);
  // Drops the handle of `name` (after a stop, kill or remove through the API).
  void forget(const std::string& name);
  size_t size() const;
  // Stops them all and waits (each at most `timeout`, then SIGKILL), for a server that shuts
  // down: when it returns they are stopped (and removed if ephemeral).
  void stop_all(std::chrono::milliseconds timeout);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<microsandbox::Sandbox>> sandboxes_;
};

// What the routes share for the server's lifetime.
struct ApiState {
  explicit ApiState(
      const mcp::McpOptions& mcp_options = {},
      std::chrono::milliseconds exec_attach_timeout = ExecSessions::kDefaultAttachTimeout)
      : execs(exec_attach_timeout), mcp(mcp_options) {}
  AttachedSandboxes attached;
  SandboxHandles handles;
  ExecSessions execs;
  mcp::McpServer mcp;  // /mcp (mcp_routes.h)
  // After a lifecycle change of `name`: its attached handle and its kept handles go.
  void forget(const std::string& name) {
    attached.forget(name);
    handles.forget(name);
  }
};

void add_sandbox_routes(Router& router, ApiState& state);

}  // namespace msb::server
