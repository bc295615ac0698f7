// The whole API's route table: GET /openapi.json and the sandbox routes.
#pragma once

#include "server/router.h"
#include "server/sandbox_routes.h"

namespace msb::server {

void add_api_routes(Router& router, ApiState& state);

}  // namespace msb::server
