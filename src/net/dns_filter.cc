// The answer filter: upstream's response rewritten without the addresses policy forbids
// (private addresses for rebinding protection, names the sandbox may not reach). Records
// are copied with their names expanded and compressed afresh, since removing one would
// leave pointers into bytes that are gone.
#include <optional>

#include "net/byte_order.h"
#include "net/dns_message.h"
#include "net/dns_wire.h"

namespace msb::net {
namespace {

constexpr uint16_t kDnsTypeNs = 2, kDnsTypeSoa = 6, kDnsTypePtr = 12, kDnsTypeMx = 15,
                   kDnsTypeSrv = 33, kDnsTypeDname = 39;

// How a record's data holds names: `prefix` bytes, `names` names, then `suffix` bytes.
// RFC 3597 section 4 lists the types whose names may arrive compressed; RFC 1035 types may
// be compressed again, SRV and DNAME must not be.
struct DataLayout {
  size_t prefix = 0;
  int names = 1;
  size_t suffix = 0;
  bool compress = true;
};

std::optional<DataLayout> data_layout(uint16_t type) {
  switch (type) {
    case kDnsTypeCNAME:
    case kDnsTypeNs:
    case kDnsTypePtr:
      return DataLayout{};
    case kDnsTypeDname:
      return DataLayout{.compress = false};
    case kDnsTypeMx:
      return DataLayout{.prefix = 2};
    case kDnsTypeSrv:
      return DataLayout{.prefix = 6, .compress = false};
    case kDnsTypeSoa:
      return DataLayout{.names = 2, .suffix = 20};
    default:
      return std::nullopt;  // no names, or none a server may compress: copied as is
  }
}

class Writer {
 public:
  explicit Writer(std::span<const uint8_t> message) : message_(message) {}

  std::vector<uint8_t>& out() { return out_; }
  DnsNameCompressor& compressor() { return compressor_; }

  // Appends `record` with its owner and any names in its data written anew.
  Result<void> append_record(const DnsRecordView& record) {
    compressor_.append(record.owner.wire, out_);
    const size_t fixed = out_.size();
    out_.resize(fixed + 10);
    store_be16(out_, fixed, record.type);
    store_be16(out_, fixed + 2, record.klass);
    store_be32(out_, fixed + 4, record.ttl);
    MSB_TRY(append_data(record));
    store_be16(out_, fixed + 8, uint16_t(out_.size() - fixed - 10));
    return {};
  }

 private:
  void append_bytes(size_t offset, size_t size) {
    std::span<const uint8_t> bytes = message_.subspan(offset, size);
    out_.insert(out_.end(), bytes.begin(), bytes.end());
  }

  Result<void> append_data(const DnsRecordView& record) {
    const std::optional<DataLayout> layout = data_layout(record.type);
    if (!layout || record.klass != kDnsClassIn) {
      append_bytes(record.data_offset, record.data_size);
      return {};
    }
    if (record.data_size < layout->prefix)
      return err(ErrorKind::kProtocol, "dns: type {} record data too short", record.type);
    append_bytes(record.data_offset, layout->prefix);
    size_t offset = record.data_offset + layout->prefix;
    for (int index = 0; index < layout->names; ++index) {
      const DnsName name = MSB_TRY(read_dns_name(message_, offset));
      if (name.end > record.end)
        return err(ErrorKind::kProtocol, "dns: name runs past its type {} record", record.type);
      if (layout->compress)
        compressor_.append(name.wire, out_);
      else
        out_.insert(out_.end(), name.wire.begin(), name.wire.end());
      offset = name.end;
    }
    if (record.end - offset != layout->suffix)
      return err(ErrorKind::kProtocol, "dns: type {} record data of the wrong size", record.type);
    append_bytes(offset, layout->suffix);
    return {};
  }

  std::span<const uint8_t> message_;
  std::vector<uint8_t> out_;
  DnsNameCompressor compressor_;
};

struct Selection {
  std::vector<const DnsRecordView*> answers;  // the ones kept
  bool removed = false;
  bool address_left = false;
};

Result<Selection> select_answers(std::span<const uint8_t> response, const DnsMessageView& view,
                                 const std::function<bool(const DnsAnswerRecord&)>& keep) {
  Selection selection;
  for (const DnsRecordView& record : view.answers) {
    const std::optional<DnsAnswerRecord> answer = MSB_TRY(decode_dns_answer(response, record));
    const bool address = answer && answer->type != kDnsTypeCNAME;
    if (address && !keep(*answer)) {
      selection.removed = true;
      continue;
    }
    selection.address_left |= address;
    selection.answers.push_back(&record);
  }
  return selection;
}

const DnsRecordView* find_opt(const DnsMessageView& view) {
  for (const DnsRecordView& record : view.additionals)
    if (record.type == kDnsTypeOpt && record.owner.wire.size() == 1) return &record;
  return nullptr;
}

}  // namespace

Result<std::vector<uint8_t>> filter_dns_answers(
    std::span<const uint8_t> response, const std::function<bool(const DnsAnswerRecord&)>& keep) {
  const DnsMessageView view = MSB_TRY(read_dns_message(response));
  if (!(view.header.flags & kDnsFlagResponse))
    return err(ErrorKind::kProtocol, "dns response: QR clear");
  Selection selection = MSB_TRY(select_answers(response, view, keep));
  // Every address gone: the name resolves to nothing the sandbox may reach.
  const bool nxdomain = selection.removed && !selection.address_left;
  if (nxdomain) selection.answers.clear();
  const DnsRecordView* opt = find_opt(view);

  DnsHeader header = view.header;
  if (selection.removed) header.flags &= uint16_t(~kDnsFlagAuthenticData);
  if (nxdomain) header.flags = uint16_t((header.flags & ~kDnsRcodeMask) | kDnsNxDomain);
  header.answer_count = uint16_t(selection.answers.size());
  header.authority_count = 0;
  header.additional_count = opt ? 1 : 0;

  Writer writer(response);
  append_dns_header(header, writer.out());
  // The question as sent, case and all (resolvers using 0x20 randomisation compare it).
  std::span<const uint8_t> question =
      response.subspan(kDnsHeaderSize, view.question.end - kDnsHeaderSize);
  writer.out().insert(writer.out().end(), question.begin(), question.end());
  writer.compressor().remember(MSB_TRY(read_dns_name(response, kDnsHeaderSize)).wire,
                               kDnsHeaderSize);
  for (const DnsRecordView* record : selection.answers) MSB_TRY(writer.append_record(*record));
  if (opt) MSB_TRY(writer.append_record(*opt));
  if (writer.out().size() > kDnsMaxMessageSize)
    return err(ErrorKind::kProtocol, "dns: filtered response of {} bytes", writer.out().size());
  return std::move(writer.out());
}

}  // namespace msb::net
