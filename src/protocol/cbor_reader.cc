#include "protocol/cbor_reader.h"

namespace msb::protocol {
namespace {

constexpr uint8_t kInfoIndefinite = 31;

tl::unexpected<Error> bad_cbor(size_t offset, std::string_view what) {
  return err(ErrorKind::kProtocol, "CBOR at byte {}: {}", offset, what);
}

// Which (major, info) pairs of major type 7 the subset has: false, true, null, floats.
bool simple_allowed(uint8_t info) {
  return (info >= 20 && info <= 22) || (info >= 25 && info <= 27);
}

}  // namespace

std::string_view cbor_type_name(const CborHead& head) {
  switch (head.major) {
    case CborMajor::kUnsigned:
      return "an unsigned integer";
    case CborMajor::kNegative:
      return "a negative integer";
    case CborMajor::kBytes:
      return "a byte string";
    case CborMajor::kText:
      return "a text string";
    case CborMajor::kArray:
      return "an array";
    case CborMajor::kMap:
      return "a map";
    case CborMajor::kTag:
      return "a tag";
    case CborMajor::kSimple:
      break;
  }
  if (head.is_bool()) return "a boolean";
  if (head.is_null()) return "null";
  if (head.is_float()) return "a float";
  return "a simple value";
}

Result<CborHead> CborReader::head_at(size_t& head_bytes) const {
  size_t left = data_.size() - offset_;
  if (left == 0) return bad_cbor(offset_, "truncated: an item was expected");
  auto initial = static_cast<uint8_t>(data_[offset_]);
  CborHead head{static_cast<CborMajor>(initial >> 5), static_cast<uint8_t>(initial & 0x1f), 0};
  if (head.major == CborMajor::kTag) return bad_cbor(offset_, "tags are not supported");
  if (head.info == kInfoIndefinite) {
    bool container = head.major >= CborMajor::kBytes && head.major <= CborMajor::kMap;
    return bad_cbor(offset_, container ? "indefinite lengths are not supported"
                                       : "unexpected break or reserved encoding");
  }
  if (head.info >= 28) return bad_cbor(offset_, "reserved additional information");
  if (head.major == CborMajor::kSimple && !simple_allowed(head.info))
    return bad_cbor(offset_, "unsupported simple value");
  size_t extra = head.info < 24 ? 0 : size_t{1} << (head.info - 24);
  if (extra >= left) return bad_cbor(offset_, "truncated item head");
  head.argument = head.info < 24 ? head.info : 0;
  for (size_t i = 1; i <= extra; ++i)
    head.argument = (head.argument << 8) | static_cast<uint8_t>(data_[offset_ + i]);
  head_bytes = 1 + extra;
  // A string needs its bytes and a container at least one byte per element: a longer
  // declared length is a lie, refused before anything trusts it.
  bool sized = head.major >= CborMajor::kBytes && head.major <= CborMajor::kMap;
  if (sized && head.argument > left - head_bytes) {
    return bad_cbor(offset_, fmt::format("length {} exceeds the {} bytes left", head.argument,
                                         left - head_bytes));
  }
  return head;
}

Result<CborHead> CborReader::peek_head() const {
  size_t head_bytes = 0;
  return head_at(head_bytes);
}

Result<CborHead> CborReader::read_head() {
  size_t head_bytes = 0;
  CborHead head = MSB_TRY(head_at(head_bytes));
  offset_ += head_bytes;
  return head;
}

Result<std::string_view> CborReader::read_text() {
  CborHead head = MSB_TRY(peek_head());
  if (head.major != CborMajor::kText)
    return err(ErrorKind::kProtocol, "expected a text string, got {}", cbor_type_name(head));
  MSB_TRY(read_head());
  std::string_view text = data_.substr(offset_, head.argument);
  offset_ += head.argument;
  return text;
}

Result<std::string_view> CborReader::read_bytes() {
  CborHead head = MSB_TRY(peek_head());
  if (head.major != CborMajor::kBytes)
    return err(ErrorKind::kProtocol, "expected a byte string, got {}", cbor_type_name(head));
  MSB_TRY(read_head());
  std::string_view bytes = data_.substr(offset_, head.argument);
  offset_ += head.argument;
  return bytes;
}

Result<uint64_t> CborReader::read_map_size() {
  CborHead head = MSB_TRY(peek_head());
  if (head.major != CborMajor::kMap)
    return err(ErrorKind::kProtocol, "expected a map, got {}", cbor_type_name(head));
  MSB_TRY(read_head());
  return head.argument;
}

Result<uint64_t> CborReader::read_array_size() {
  CborHead head = MSB_TRY(peek_head());
  if (head.major != CborMajor::kArray)
    return err(ErrorKind::kProtocol, "expected an array, got {}", cbor_type_name(head));
  MSB_TRY(read_head());
  return head.argument;
}

Result<bool> CborReader::read_bool() {
  CborHead head = MSB_TRY(peek_head());
  if (!head.is_bool())
    return err(ErrorKind::kProtocol, "expected a boolean, got {}", cbor_type_name(head));
  MSB_TRY(read_head());
  return head.info == 21;
}

Result<void> CborReader::skip_containers(const CborHead& head, size_t depth) {
  // Each element takes at least one byte, so these loops end within the input.
  if (depth + 1 > kMaxCborDepth)
    return bad_cbor(offset_, fmt::format("nested deeper than {} containers", kMaxCborDepth));
  for (uint64_t i = 0; i < head.argument; ++i) {
    if (head.major == CborMajor::kMap) {
      CborHead key = MSB_TRY(peek_head());
      if (key.major != CborMajor::kText) return bad_cbor(offset_, "a map key is not a text string");
    }
    MSB_TRY(read_item(depth + 1));
    if (head.major == CborMajor::kMap) MSB_TRY(read_item(depth + 1));
  }
  return {};
}

Result<std::string_view> CborReader::read_item(size_t depth) {
  size_t start = offset_;
  CborHead head = MSB_TRY(read_head());
  if (head.major == CborMajor::kBytes || head.major == CborMajor::kText) offset_ += head.argument;
  if (head.major == CborMajor::kArray || head.major == CborMajor::kMap)
    MSB_TRY(skip_containers(head, depth));
  return data_.substr(start, offset_ - start);
}

Result<void> check_cbor(std::string_view body) {
  CborReader reader(body);
  MSB_TRY(reader.read_item());
  if (!reader.at_end())
    return bad_cbor(reader.offset(),
                    fmt::format("{} trailing bytes", body.size() - reader.offset()));
  return {};
}

}  // namespace msb::protocol
