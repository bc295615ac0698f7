// What a public Sandbox handle holds, shared by sandbox.cc and sandbox_builder.cc.
#pragma once

#include <optional>
#include <string>

#include "config/sandbox_config.h"
#include "microsandbox/sandbox.h"
#include "sdk/exec_session.h"
#include "sdk/lifecycle.h"
#include "sdk/throw_error.h"

namespace microsandbox {

struct Sandbox::Impl {
  std::string name;
  bool owner = false;    // owns the lifecycle: attached create or start, not detached
  msb::os::Fd watchdog;  // attached: closing it stops the sandbox
  std::optional<msb::config::SandboxConfig> config;  // read on first exec
  bool removed = false;
};

// The guest socket of a sandbox, and its recorded config (read once per handle).
std::string agent_socket(const Sandbox::Impl& impl);
const msb::config::SandboxConfig& sandbox_config(Sandbox::Impl& impl);
// The request for `cmd` with the sandbox's defaults under `options` (public_exec.cc).
msb::sdk::ExecSpec exec_spec(Sandbox::Impl& impl, const std::string& cmd,
                             const std::vector<std::string>& args, const ExecOptions& options);

struct SandboxAccess {
  static Sandbox make(std::unique_ptr<Sandbox::Impl> impl) { return Sandbox(std::move(impl)); }
};

}  // namespace microsandbox

namespace msb::sdk {

// A handle on a sandbox just created or started; `owns_lifecycle` when attached.
microsandbox::Sandbox make_sandbox(StartedSandbox started, bool owns_lifecycle);

}  // namespace msb::sdk
