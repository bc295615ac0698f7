// DNS messages (RFC 1035 4.1) as the gateway's DNS interceptor sees them: the guest's
// queries (untrusted), upstream responses, the replies the interceptor builds itself and the
// rewrite that drops answers policy forbids. Pure computation on bytes; every function here
// is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/error.h"
#include "net/ip_address.h"

namespace msb::net {

inline constexpr uint16_t kDnsTypeA = 1, kDnsTypeAAAA = 28, kDnsTypeCNAME = 5;
inline constexpr uint16_t kDnsClassIn = 1;
// Response codes.
inline constexpr uint8_t kDnsNoError = 0, kDnsFormErr = 1, kDnsServFail = 2, kDnsNxDomain = 3,
                         kDnsRefused = 5;

struct DnsQuestion {
  std::string name;  // canonical: lower case, no trailing dot; the root is ""
  uint16_t type = 0;
  uint16_t klass = kDnsClassIn;
};

struct DnsQuery {
  uint16_t id = 0;
  uint16_t flags = 0;  // the header's second word as sent: RD, CD, ...
  DnsQuestion question;
};

// Parses a query from the guest: exactly one question (QDCOUNT 1), QR clear, opcode 0
// (QUERY). The sections after the question (an EDNS OPT record) are not read. kProtocol
// otherwise, or when the question is truncated or its name is malformed (see dns_name.h:
// pointers, lengths, bytes outside printable ASCII).
[[nodiscard]] Result<DnsQuery> parse_dns_query(std::span<const uint8_t> message);

struct DnsAnswerRecord {
  std::string name;  // the owner, canonical
  uint16_t type = 0;
  uint32_t ttl = 0;    // a TTL with its top bit set reads as 0 (RFC 2181 8)
  IpAddress address;   // A and AAAA
  std::string target;  // CNAME, canonical
};

struct DnsResponse {
  uint16_t id = 0;
  uint16_t flags = 0;
  uint8_t rcode = 0;
  DnsQuestion question;
  // Only the class IN A, AAAA and CNAME records of the answer section, in order.
  std::vector<DnsAnswerRecord> answers;
};

// Parses an upstream response: QR set, exactly one question, and every record of all three
// sections in bounds (trailing bytes after them are ignored). kProtocol for anything else:
// a count larger than the records present, a record or name running past the message, bad
// compression (dns_name.h), an A record whose data is not 4 bytes (AAAA: 16), a CNAME whose
// name does not fill its data exactly, or an A/AAAA/CNAME owner or target whose text is not
// canonical-safe.
[[nodiscard]] Result<DnsResponse> parse_dns_response(std::span<const uint8_t> message);

// A reply of `rcode` (kDnsServFail, kDnsNxDomain, kDnsRefused, ...) to `query`: same id,
// QR and RA set, RD copied, then the question. A question whose name cannot be written (not
// one parse_dns_query() returned) is left out (QDCOUNT 0).
std::vector<uint8_t> build_dns_error(const DnsQuery& query, uint8_t rcode);

// A full reply to `query` carrying `answers` (A, AAAA and CNAME; class IN; no compression):
// what tests and the test DNS server send. kInvalidArgument for another record type, an
// address of the wrong family for its type, a name that cannot be written, or a reply over
// 65535 bytes.
[[nodiscard]] Result<std::vector<uint8_t>> build_dns_response(
    const DnsQuery& query, const std::vector<DnsAnswerRecord>& answers, uint8_t rcode = 0);

// Rebinding protection and name policy: a copy of the upstream `response` without the A and
// AAAA answers for which keep(record) is false (keep sees each class IN A/AAAA answer once;
// every other answer is kept). The authority and additional sections are dropped except an
// EDNS OPT record; names are rewritten with fresh compression; AD is cleared when anything
// was removed. When answers were removed and no A/AAAA answer is left, the reply is an
// NXDOMAIN instead (rcode 3, no answers). kProtocol when the response does not parse
// (as parse_dns_response()) or the rewrite would exceed 65535 bytes.
[[nodiscard]] Result<std::vector<uint8_t>> filter_dns_answers(
    std::span<const uint8_t> response, const std::function<bool(const DnsAnswerRecord&)>& keep);

}  // namespace msb::net
