// Domain names as policy rules and DNS pins compare them: ASCII lower case, no trailing dot.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace msb::net {

// Longest name in text form, without the trailing dot (RFC 1035 2.3.4).
inline constexpr size_t kMaxDomainBytes = 253;
// Longest label (RFC 1035 2.3.4).
inline constexpr size_t kMaxLabelBytes = 63;

// `name` in ASCII lower case with one trailing dot removed ("Api.Example.COM." ->
// "api.example.com"). Does not check the syntax. Thread-safe.
std::string canonical_name(std::string_view name);

// Checks a name already in canonical form against hostname syntax: 1 to 253 bytes, labels of
// 1 to 63 bytes of [a-z0-9-] that neither start nor end with '-', and a last label that is
// not all digits (that would be an IPv4 address, or a mistyped one). kInvalidArgument with
// what is wrong, without the name ("label 'a_b' may hold only a-z, 0-9 and '-'").
// Thread-safe.
[[nodiscard]] Result<void> check_domain(std::string_view canonical);

// Number of labels of a valid canonical name ("example.com" -> 2).
size_t label_count(std::string_view canonical);

// Whether `name` is `suffix` with at least one more label in front: "a.example.com" is under
// "example.com", "example.com" itself is not. Both canonical. Thread-safe.
bool is_under(std::string_view name, std::string_view suffix);

}  // namespace msb::net
