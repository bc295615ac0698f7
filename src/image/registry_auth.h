// Registry authentication: WWW-Authenticate challenges and the bearer-token exchange of
// the distribution token spec (anonymous or with credentials).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "image/credentials.h"
#include "image/http_client.h"

namespace msb::image {

struct Challenge {
  std::string scheme;                         // lowercase: "bearer", "basic"
  std::map<std::string, std::string> params;  // lowercase names: realm, service, scope
};

// Parses one challenge ("Bearer realm=\"https://a/t\",service=\"s\",scope=\"x\"").
// kInvalidArgument when malformed.
Result<Challenge> parse_challenge(std::string_view header);

// Picks the challenge to answer from every WWW-Authenticate value: Bearer before Basic.
// kPermissionDenied when there is none we understand.
Result<Challenge> pick_challenge(const std::vector<std::string>& headers, std::string_view host);

// The Authorization header value answering `challenge` for pulling `repository`:
// "Basic ..." from `credentials`, or "Bearer <token>" fetched from the challenge's realm
// (with `credentials` as Basic auth when given). Errors: kPermissionDenied ("authentication
// failed for HOST" when the token server refuses; "authentication required" when Basic is
// asked but there are no credentials), kIo (token server unreachable or malformed reply).
Result<std::string> answer_challenge(HttpClient& http, const Challenge& challenge,
                                     const std::string& host, const std::string& repository,
                                     const std::optional<Credentials>& credentials);

}  // namespace msb::image
