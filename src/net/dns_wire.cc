// SECURITY: queries come from the guest and responses from upstream; every field is read
// only after its bytes are known to be in the message, and counts are trusted no further
// than the records actually present.
#include "net/dns_wire.h"

#include "net/byte_order.h"

namespace msb::net {
namespace {

constexpr size_t kQuestionFixedSize = 4;  // type, class
constexpr size_t kRecordFixedSize = 10;   // type, class, ttl, data length
constexpr uint32_t kTtlTopBit = 0x80000000;

Result<std::vector<DnsRecordView>> read_section(std::span<const uint8_t> message, size_t& offset,
                                                uint16_t count) {
  std::vector<DnsRecordView> records;
  for (uint16_t index = 0; index < count; ++index) {
    records.push_back(MSB_TRY(read_dns_record(message, offset)));
    offset = records.back().end;
  }
  return records;
}

}  // namespace

Result<DnsHeader> read_dns_header(std::span<const uint8_t> message) {
  if (message.size() < kDnsHeaderSize)
    return err(ErrorKind::kProtocol, "dns: {}-byte message, shorter than a header", message.size());
  return DnsHeader{load_be16(message, 0), load_be16(message, 2), load_be16(message, 4),
                   load_be16(message, 6), load_be16(message, 8), load_be16(message, 10)};
}

void append_dns_header(const DnsHeader& header, std::vector<uint8_t>& out) {
  const size_t start = out.size();
  out.resize(start + kDnsHeaderSize);
  std::span<uint8_t> bytes = std::span(out).subspan(start);
  store_be16(bytes, 0, header.id);
  store_be16(bytes, 2, header.flags);
  store_be16(bytes, 4, header.question_count);
  store_be16(bytes, 6, header.answer_count);
  store_be16(bytes, 8, header.authority_count);
  store_be16(bytes, 10, header.additional_count);
}

Result<DnsQuestionAt> read_dns_question(std::span<const uint8_t> message, size_t offset) {
  const DnsName name = MSB_TRY(read_dns_name(message, offset));
  if (message.size() - name.end < kQuestionFixedSize)
    return err(ErrorKind::kProtocol, "dns: question truncated");
  DnsQuestionAt at;
  at.question.name = MSB_TRY(dns_name_text(name.wire));
  at.question.type = load_be16(message, name.end);
  at.question.klass = load_be16(message, name.end + 2);
  at.end = name.end + kQuestionFixedSize;
  return at;
}

Result<void> append_dns_question(const DnsQuestion& question, std::vector<uint8_t>& out) {
  std::vector<uint8_t> bytes;
  MSB_TRY(append_dns_name(question.name, bytes));
  bytes.resize(bytes.size() + kQuestionFixedSize);
  store_be16(bytes, bytes.size() - 4, question.type);
  store_be16(bytes, bytes.size() - 2, question.klass);
  out.insert(out.end(), bytes.begin(), bytes.end());
  return {};
}

Result<DnsRecordView> read_dns_record(std::span<const uint8_t> message, size_t offset) {
  DnsRecordView record;
  record.owner = MSB_TRY(read_dns_name(message, offset));
  const size_t fixed = record.owner.end;
  if (message.size() - fixed < kRecordFixedSize)
    return err(ErrorKind::kProtocol, "dns: record truncated");
  record.type = load_be16(message, fixed);
  record.klass = load_be16(message, fixed + 2);
  record.ttl = load_be32(message, fixed + 4);
  record.data_size = load_be16(message, fixed + 8);
  record.data_offset = fixed + kRecordFixedSize;
  if (message.size() - record.data_offset < record.data_size)
    return err(ErrorKind::kProtocol, "dns: record data runs past the message");
  record.end = record.data_offset + record.data_size;
  return record;
}

Result<std::optional<DnsAnswerRecord>> decode_dns_answer(std::span<const uint8_t> message,
                                                         const DnsRecordView& record) {
  const bool wanted =
      record.type == kDnsTypeA || record.type == kDnsTypeAAAA || record.type == kDnsTypeCNAME;
  if (record.klass != kDnsClassIn || !wanted) return std::nullopt;
  DnsAnswerRecord answer;
  answer.name = MSB_TRY(dns_name_text(record.owner.wire));
  answer.type = record.type;
  answer.ttl = (record.ttl & kTtlTopBit) ? 0 : record.ttl;
  std::span<const uint8_t> data = message.subspan(record.data_offset, record.data_size);
  if (record.type == kDnsTypeCNAME) {
    const DnsName target = MSB_TRY(read_dns_name(message, record.data_offset));
    if (target.end != record.end)
      return err(ErrorKind::kProtocol, "dns: CNAME name does not fill its record");
    answer.target = MSB_TRY(dns_name_text(target.wire));
    return answer;
  }
  const bool v4 = record.type == kDnsTypeA;
  if (data.size() != (v4 ? 4u : 16u))
    return err(ErrorKind::kProtocol, "dns: {}-byte {} record", data.size(), v4 ? "A" : "AAAA");
  answer.address =
      IpAddress::from_bytes(v4 ? IpAddress::Family::kV4 : IpAddress::Family::kV6, data);
  return answer;
}

Result<DnsMessageView> read_dns_message(std::span<const uint8_t> message) {
  DnsMessageView view;
  view.header = MSB_TRY(read_dns_header(message));
  if (view.header.question_count != 1)
    return err(ErrorKind::kProtocol, "dns: {} questions, not 1", view.header.question_count);
  view.question = MSB_TRY(read_dns_question(message, kDnsHeaderSize));
  size_t offset = view.question.end;
  view.answers = MSB_TRY(read_section(message, offset, view.header.answer_count));
  view.authorities = MSB_TRY(read_section(message, offset, view.header.authority_count));
  view.additionals = MSB_TRY(read_section(message, offset, view.header.additional_count));
  return view;
}

}  // namespace msb::net
