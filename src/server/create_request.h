// The body of POST /v1/sandboxes (docs/design/server.md, "Create"): JSON with the C++
// builder's settings under the names of docs/design/python-sdk.md's create spec, checked
// strictly: an unknown key or a value of the wrong type is a 400 naming the key, before
// anything is created.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "microsandbox/sandbox.h"

namespace msb::server {

struct CreateRequest {
  std::string name;
  // Attached to the server: stopped when the server exits. Default: detached (a sandbox
  // outlives the server, as after `msb create`).
  bool attached = false;
  microsandbox::SandboxBuilder builder{""};
};

// Throws microsandbox::Error kInvalidArgument naming the offending key.
CreateRequest parse_create_request(const nlohmann::json& body);

}  // namespace msb::server
