// Files inside a running sandbox, by absolute guest path (the `path` query parameter):
// GET/PUT/DELETE /v1/sandboxes/{name}/files (download streamed in chunks, upload as the raw
// body up to the body limit), GET .../fs/list, GET .../fs/stat, POST .../fs/mkdir,
// POST .../fs/rename.
#pragma once

#include "server/router.h"
#include "server/sandbox_routes.h"

namespace msb::server {

void add_file_routes(Router& router, ApiState& state);

}  // namespace msb::server
