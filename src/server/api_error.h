// Errors as the API reports them: {"error": {"kind": "<ErrorKind name>", "message": "..."}}
// with an HTTP status that says the same (docs/design/server.md, "Errors").
#pragma once

#include <string>

#include "microsandbox/error.h"
#include "server/api_types.h"

namespace msb::server {

// 404 not found, 409 already exists / still running / in use, 400 invalid, 422 exec failure,
// 504 timeout, 403 permission, 501 unsupported, 500 the rest. An `io` error with a telling
// errno gets that errno's status (ENOTEMPTY, EEXIST: 409; ENOENT: 404; EACCES, EROFS: 403;
// ENOTDIR, EISDIR, EINVAL: 400).
int http_status_for(microsandbox::ErrorKind kind);

ApiResponse error_response(int status, const std::string& kind, const std::string& message);
ApiResponse error_response(const microsandbox::Error& error);

}  // namespace msb::server
