// Starting an exec session's process. The code between fork and exec lives in
// exec_child.cc alone and is reviewed as security code.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "os/fd.h"
#include "protocol/messages.h"

namespace msb::agent {

struct ExecProcess {
  pid_t pid = -1;
  os::Fd stdin_write;  // invalid when stdin is /dev/null
  os::Fd stdout_read;  // non-blocking
  os::Fd stderr_read;  // non-blocking
};

// Who the process runs as, resolved before fork (the child cannot read files).
struct ExecIdentity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups
};

struct ExecLaunch {
  std::string path;               // resolved executable
  std::vector<std::string> argv;  // argv[0] = the command as given
  std::vector<std::string> env;   // KEY=VALUE
  std::string cwd;
  bool stdin_pipe = false;
  std::optional<ExecIdentity> identity;  // nullopt: the agent's own (root)
};

// Forks and execs. On failure returns the exec.failed payload (kind, errno, message),
// including failures inside the child (switching user, bad cwd, exec errors) reported
// over a pipe.
tl::expected<ExecProcess, protocol::ExecFailed> start_exec_process(const ExecLaunch& launch);

}  // namespace msb::agent
