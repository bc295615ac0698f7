// The guest hostname of a sandbox that does not set one.
#pragma once

#include <string>
#include <string_view>

namespace msb::config {

// Names of at most 64 bytes pass through unchanged. Longer names become their first 55
// bytes, cut back to a UTF-8 character boundary (never splitting a multi-byte sequence), then
// '-' and the first 8 lowercase hex digits of SHA-256(name): at most 64 bytes, the kernel's
// hostname limit. Deterministic; different names give different results with overwhelming
// probability. Does not sanitize: the result keeps whatever bytes the name had (a sandbox
// name may hold '_' or '.' sequences that RFC 1123 does not allow), which sethostname(2)
// accepts. Invalid UTF-8 is cut at byte 55 where no boundary lies within 3 bytes of it.
// Never fails; thread-safe.
std::string derive_hostname(std::string_view name);

}  // namespace msb::config
