// The host side of one exec: host stdin -> the process, its output -> host stdout/stderr,
// window-size changes -> resize, until it exits. With a TTY and a host terminal on stdin,
// that terminal is raw for the duration (restored on every path) and ctrl-] detaches.
#pragma once

#include "common/error.h"
#include "os/child_process.h"
#include "sdk/exec_session.h"

namespace msb::cli {

struct ExecLoopOptions {
  bool tty = false;
  bool forward_stdin = true;  // false: the process got no stdin pipe
};

// Returns how the process ended (a detach reads as exit 0). kCancelled when msb was
// interrupted (the process is killed with the connection).
Result<os::ExitStatus> run_exec_loop(sdk::ExecSession& session, const ExecLoopOptions& options);

}  // namespace msb::cli
