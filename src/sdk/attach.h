// The host side of one interactive exec: host stdin -> the process, its output -> host
// stdout/stderr, window-size changes -> resize, until it exits or the user detaches.
// With a TTY and a host terminal on stdin, that terminal is raw for the duration
// (restored on every path, errors included) and the detach keys end the session.
// Sandbox::attach and `msb exec`/`msb shell` run on it.
#pragma once

#include <string>

#include "common/error.h"
#include "os/child_process.h"
#include "sdk/exec_session.h"

namespace msb::sdk {

struct AttachConfig {
  bool tty = false;             // the process has a pseudo-terminal
  bool forward_stdin = true;    // false: the process got no stdin pipe
  std::string detach_sequence;  // from parse_detach_keys(); "" never detaches
  int in_fd = 0;                // the host side
  int out_fd = 1;
  int err_fd = 2;
};

struct AttachOutcome {
  bool detached = false;  // the detach keys were typed; the process was not waited for
  os::ExitStatus status;  // how the process ended, when not detached
};

// Blocks SIGWINCH, SIGINT, SIGTERM and SIGHUP on the calling thread while it runs (read
// through a signalfd; the mask is restored). Errors: kCancelled (sys_errno: the signal)
// when interrupted, kTimeout when the session's timeout killed the process, the session's
// errors (kExecFailed, kIo...) and kIo for the host side.
Result<AttachOutcome> run_attach(ExecSession& session, const AttachConfig& config);

// The host terminal's size when `fd` is one (for ExecRequest rows/cols).
std::optional<std::pair<uint32_t, uint32_t>> host_window_size(int fd);

}  // namespace msb::sdk
