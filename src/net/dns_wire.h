// The framing of a DNS message (RFC 1035 4.1): the header, the question and the records of
// each section, located but not interpreted. Shared by the parsers, the builders and the
// answer filter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/error.h"
#include "net/dns_message.h"
#include "net/dns_name.h"

namespace msb::net {

inline constexpr uint16_t kDnsFlagResponse = 0x8000;
inline constexpr uint16_t kDnsOpcodeMask = 0x7800;
inline constexpr uint16_t kDnsFlagRecursionDesired = 0x0100;
inline constexpr uint16_t kDnsFlagRecursionAvailable = 0x0080;
inline constexpr uint16_t kDnsFlagAuthenticData = 0x0020;
inline constexpr uint16_t kDnsRcodeMask = 0x000f;
inline constexpr uint16_t kDnsTypeOpt = 41;
inline constexpr size_t kDnsMaxMessageSize = 65535;

struct DnsHeader {
  uint16_t id = 0;
  uint16_t flags = 0;
  uint16_t question_count = 0, answer_count = 0, authority_count = 0, additional_count = 0;
};

// kProtocol when the message is shorter than a header.
[[nodiscard]] Result<DnsHeader> read_dns_header(std::span<const uint8_t> message);
void append_dns_header(const DnsHeader& header, std::vector<uint8_t>& out);

struct DnsQuestionAt {
  DnsQuestion question;
  size_t end = 0;  // just past the question
};
// The question at `offset`, its name canonical. kProtocol when truncated or malformed.
[[nodiscard]] Result<DnsQuestionAt> read_dns_question(std::span<const uint8_t> message,
                                                      size_t offset);
// kInvalidArgument when the name cannot be written; `out` is then unchanged.
[[nodiscard]] Result<void> append_dns_question(const DnsQuestion& question,
                                               std::vector<uint8_t>& out);

// A resource record located in its message.
struct DnsRecordView {
  DnsName owner;
  uint16_t type = 0, klass = 0;
  uint32_t ttl = 0;  // as on the wire
  size_t data_offset = 0, data_size = 0;
  size_t end = 0;  // just past the record
};
// kProtocol when the record or its owner name runs past the message.
[[nodiscard]] Result<DnsRecordView> read_dns_record(std::span<const uint8_t> message,
                                                    size_t offset);

// The record as a class IN A, AAAA or CNAME answer; nullopt for any other record.
// kProtocol when an A record's data is not 4 bytes (AAAA: 16), a CNAME name does not fill
// its data exactly, or a name is not canonical-safe (dns_name_text()).
[[nodiscard]] Result<std::optional<DnsAnswerRecord>> decode_dns_answer(
    std::span<const uint8_t> message, const DnsRecordView& record);

// A whole message with exactly one question and every record of its sections located.
struct DnsMessageView {
  DnsHeader header;
  DnsQuestionAt question;
  std::vector<DnsRecordView> answers, authorities, additionals;
};
// kProtocol when QDCOUNT is not 1 or any section runs past the message.
[[nodiscard]] Result<DnsMessageView> read_dns_message(std::span<const uint8_t> message);

}  // namespace msb::net
