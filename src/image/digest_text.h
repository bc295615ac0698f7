// The OCI text form of a digest, "sha256:<64 lowercase hex>", which names every blob,
// manifest and layer. Apart from digest.h so that code which only names digests (the
// supervisor) does not load OpenSSL.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace msb::image {

// True for "sha256:" followed by exactly 64 lowercase hex digits, and nothing else.
bool is_valid_digest(std::string_view digest);
// The 64 hex digits of a valid digest; kInvalidArgument otherwise.
Result<std::string> digest_hex(std::string_view digest);

}  // namespace msb::image
