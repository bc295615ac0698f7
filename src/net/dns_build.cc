// The replies the DNS interceptor writes itself: errors for queries it refuses and, for
// tests and the test DNS server, plain answers.
#include "net/byte_order.h"
#include "net/dns_message.h"
#include "net/dns_wire.h"

namespace msb::net {
namespace {

DnsHeader reply_header(const DnsQuery& query, uint8_t rcode) {
  DnsHeader header;
  header.id = query.id;
  header.flags = kDnsFlagResponse | (query.flags & kDnsFlagRecursionDesired) |
                 kDnsFlagRecursionAvailable | (rcode & kDnsRcodeMask);
  return header;
}

// The record's data: an address of the family its type holds, or a CNAME target name.
Result<std::vector<uint8_t>> record_data(const DnsAnswerRecord& record) {
  std::vector<uint8_t> data;
  if (record.type == kDnsTypeCNAME) {
    MSB_TRY(append_dns_name(record.target, data));
    return data;
  }
  const bool family_fits = (record.type == kDnsTypeA && record.address.is_v4()) ||
                           (record.type == kDnsTypeAAAA && !record.address.is_v4());
  if (!family_fits)
    return err(ErrorKind::kInvalidArgument, "dns answer: type {} cannot hold {}", record.type,
               record.address.to_string());
  data.assign(record.address.bytes().begin(), record.address.bytes().end());
  return data;
}

Result<void> append_record(const DnsAnswerRecord& record, std::vector<uint8_t>& out) {
  const std::vector<uint8_t> data = MSB_TRY(record_data(record));
  std::vector<uint8_t> bytes;
  MSB_TRY(append_dns_name(record.name, bytes));
  const size_t fixed = bytes.size();
  bytes.resize(fixed + 10);
  store_be16(bytes, fixed, record.type);
  store_be16(bytes, fixed + 2, kDnsClassIn);
  store_be32(bytes, fixed + 4, record.ttl);
  store_be16(bytes, fixed + 8, uint16_t(data.size()));
  bytes.insert(bytes.end(), data.begin(), data.end());
  out.insert(out.end(), bytes.begin(), bytes.end());
  return {};
}

}  // namespace

std::vector<uint8_t> build_dns_error(const DnsQuery& query, uint8_t rcode) {
  DnsHeader header = reply_header(query, rcode);
  std::vector<uint8_t> question;
  if (append_dns_question(query.question, question)) header.question_count = 1;
  std::vector<uint8_t> message;
  append_dns_header(header, message);
  message.insert(message.end(), question.begin(), question.end());
  return message;
}

Result<std::vector<uint8_t>> build_dns_response(const DnsQuery& query,
                                                const std::vector<DnsAnswerRecord>& answers,
                                                uint8_t rcode) {
  if (answers.size() > UINT16_MAX)
    return err(ErrorKind::kInvalidArgument, "dns response: {} answers", answers.size());
  DnsHeader header = reply_header(query, rcode);
  header.question_count = 1;
  header.answer_count = uint16_t(answers.size());
  std::vector<uint8_t> message;
  append_dns_header(header, message);
  MSB_TRY(append_dns_question(query.question, message));
  for (const DnsAnswerRecord& record : answers) {
    if (record.type != kDnsTypeA && record.type != kDnsTypeAAAA && record.type != kDnsTypeCNAME)
      return err(ErrorKind::kInvalidArgument, "dns response: record type {}", record.type);
    MSB_TRY(append_record(record, message));
  }
  if (message.size() > kDnsMaxMessageSize)
    return err(ErrorKind::kInvalidArgument, "dns response: {} bytes", message.size());
  return message;
}

}  // namespace msb::net
