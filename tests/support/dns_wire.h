// A tiny DNS message codec for tests only: one question, A/AAAA answers as text addresses.
// The net world's DNS server (net_servers.h) answers with it and the probes (net_probe.h)
// ask with it. It is deliberately not the product's DNS code (src/net/), so a bug there
// cannot hide behind the same bug here. Encoding never compresses names; decoding follows
// compression pointers, since real resolvers and forwarders send them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace msb::testing::dns {

inline constexpr uint16_t kTypeA = 1;
inline constexpr uint16_t kTypeAaaa = 28;
inline constexpr uint16_t kClassIn = 1;

inline constexpr uint8_t kNoError = 0;
inline constexpr uint8_t kFormatError = 1;
inline constexpr uint8_t kServerFailure = 2;
inline constexpr uint8_t kNameError = 3;  // NXDOMAIN
inline constexpr uint8_t kNotImplemented = 4;

struct Question {
  uint16_t id = 0;
  std::string name;  // as sent, without the trailing dot ("www.example.test")
  uint16_t type = kTypeA;
  uint16_t klass = kClassIn;
  bool recursion_desired = true;
};

struct Answer {
  std::string name;
  uint16_t type = kTypeA;
  uint32_t ttl = 0;
  std::string address;  // "192.0.2.10" or "2001:db8::10"; empty for other record types
};

struct Response {
  uint16_t id = 0;
  uint8_t rcode = kNoError;
  bool truncated = false;
  Question question;
  std::vector<Answer> answers;
};

// A standard query with RD set. REQUIRES: `name` is a valid name (labels 1..63 bytes).
std::string encode_query(uint16_t id, std::string_view name, uint16_t type);

// The first question of a query. kProtocol when the message is truncated, is a response,
// or has no question. Thread-safe.
Result<Question> decode_query(std::string_view message);

// A response to `question` (id, RD copied; RA set) with `answers`, whose address text is
// written as A (v4) or AAAA (v6) data. REQUIRES: every address parses.
std::string encode_response(const Question& question, uint8_t rcode,
                            const std::vector<Answer>& answers);

// The header, first question and answer records of a response. kProtocol on truncated or
// malformed messages. Thread-safe.
Result<Response> decode_response(std::string_view message);

// "A", "AAAA" or the number, for messages.
std::string type_name(uint16_t type);

}  // namespace msb::testing::dns
