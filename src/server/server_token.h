// The API server's bearer token: made at first start in $MSB_HOME/server/token (0600, in a
// 0700 directory), or read from --token-file. Compared in constant time.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace msb::server {

// The token in `path`, made first if the file does not exist (64 hex characters from
// getrandom). An existing file must be a regular file, owned by this user and not readable
// or writable by others (kPermissionDenied otherwise: say `chmod 600`), holding one line of
// at least 32 characters without spaces (kInvalidArgument).
Result<std::string> load_or_create_token(const std::string& path);

// Whether the header value is exactly "Bearer <token>", in time independent of where they
// differ.
bool bearer_matches(std::string_view authorization, std::string_view token);

}  // namespace msb::server
