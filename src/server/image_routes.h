// The image routes of the API, over the public microsandbox::Image (include/microsandbox/
// image.h): GET /v1/images (list), GET /v1/images/{reference} (inspect; the reference is
// percent-encoded in its one path segment: docker.io%2Flibrary%2Fpython%3A3.12),
// DELETE /v1/images/{reference}?force=, POST /v1/images/pull (the pulled image, or with
// ?progress=true its progress as Server-Sent Events ending in `done` or `error`) and
// POST /v1/images/prune. docs/api/openapi.json has each with its schema.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "microsandbox/image.h"
#include "server/router.h"
#include "server/sandbox_routes.h"

namespace msb::server {

struct PullRequest {
  std::string reference;
  microsandbox::PullOptions options;  // on_progress is the route's
};

// The body of POST /v1/images/pull: {"reference": "...", "insecure": false}. Unknown keys
// and wrong types are kInvalidArgument naming the key.
PullRequest parse_pull_request(const nlohmann::json& body);

void add_image_routes(Router& router, ApiState& state);

}  // namespace msb::server
