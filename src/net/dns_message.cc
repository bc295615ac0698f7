// SECURITY: parse_dns_query() reads what the guest sends; parse_dns_response() reads what
// upstream answers, and its addresses decide what the guest may connect to afterwards.
#include "net/dns_message.h"

#include <optional>

#include "net/dns_wire.h"

namespace msb::net {

Result<DnsQuery> parse_dns_query(std::span<const uint8_t> message) {
  const DnsHeader header = MSB_TRY(read_dns_header(message));
  if (header.flags & kDnsFlagResponse) return err(ErrorKind::kProtocol, "dns query: QR set");
  if (header.flags & kDnsOpcodeMask)
    return err(ErrorKind::kProtocol, "dns query: opcode {}", (header.flags & kDnsOpcodeMask) >> 11);
  if (header.question_count != 1)
    return err(ErrorKind::kProtocol, "dns query: {} questions, not 1", header.question_count);
  DnsQuery query;
  query.id = header.id;
  query.flags = header.flags;
  query.question = MSB_TRY(read_dns_question(message, kDnsHeaderSize)).question;
  return query;
}

Result<DnsResponse> parse_dns_response(std::span<const uint8_t> message) {
  const DnsMessageView view = MSB_TRY(read_dns_message(message));
  if (!(view.header.flags & kDnsFlagResponse))
    return err(ErrorKind::kProtocol, "dns response: QR clear");
  DnsResponse response;
  response.id = view.header.id;
  response.flags = view.header.flags;
  response.rcode = uint8_t(view.header.flags & kDnsRcodeMask);
  response.question = view.question.question;
  for (const DnsRecordView& record : view.answers) {
    std::optional<DnsAnswerRecord> answer = MSB_TRY(decode_dns_answer(message, record));
    if (answer) response.answers.push_back(std::move(*answer));
  }
  return response;
}

}  // namespace msb::net
