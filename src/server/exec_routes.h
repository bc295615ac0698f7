// Streaming exec: POST /v1/sandboxes/{name}/execs starts a process and returns its id;
// GET /v1/execs/{id}/events streams its events as Server-Sent Events (`started`, `stdout`,
// `stderr`, then `exit` or `error`); POST .../stdin (raw body; ?eof=true closes stdin after
// it), .../signal, .../resize and DELETE /v1/execs/{id} control it. A client that goes away
// mid-stream kills the process. One reader at a time per session.
#pragma once

#include "server/router.h"
#include "server/sandbox_routes.h"

namespace msb::server {

void add_exec_routes(Router& router, ApiState& state);

}  // namespace msb::server
