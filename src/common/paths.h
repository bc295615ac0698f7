// The $MSB_HOME layout (see docs/architecture.md, "State").
#pragma once

#include <string>
#include <string_view>

namespace msb {

// $MSB_HOME, defaulting to $HOME/.microsandbox.
std::string msb_home();
// $MSB_HOME/run: per-sandbox runtime directories (sockets, disks of ephemeral runs).
std::string msb_run_dir();
// $MSB_HOME/cache: what can be made again (image blobs and layers, upper disk templates).
std::string msb_cache_dir();
// $MSB_HOME/db/msb.db: the state store.
std::string msb_db_path();

// Where one named sandbox keeps its files under `home`.
struct SandboxPaths {
  std::string dir;              // sandboxes/<name>: kept until the sandbox is removed
  std::string upper_disk;       // sandboxes/<name>/upper.ext4: the writable root layer
  std::string logs;             // sandboxes/<name>/logs
  std::string console_log;      // logs/console.log (guest kernel + agent console)
  std::string runtime_log;      // logs/runtime.log (the supervisor's own log)
  std::string exec_log;         // logs/exec.log (JSONL of every session's output)
  std::string boot_error;       // logs/boot-error.json (why the last boot failed)
  std::string run_dir;          // run/<name>: lives as long as the supervisor
  std::string agent_socket;     // run/<name>/agent.sock
  std::string supervisor_file;  // run/<name>/supervisor.json (pids of the live run)
};
SandboxPaths sandbox_paths(std::string_view home, std::string_view name);

}  // namespace msb
