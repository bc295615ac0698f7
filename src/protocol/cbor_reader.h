// CborReader: a bounds-checked reader of the CBOR (RFC 8949) subset our message bodies
// use: definite-length maps with text keys, arrays, text and byte strings, integers,
// booleans and null. Floats are accepted (and skipped) because older peers' bodies may
// hold them in fields we ignore. Rejected, with an error naming the byte offset:
// indefinite lengths, tags, other simple values, reserved encodings, lengths beyond the
// bytes left, nesting deeper than kMaxCborDepth, and (in check_cbor) trailing bytes.
//
// Reading never allocates: strings come back as views into the input. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/error.h"

namespace msb::protocol {

// Containers nested deeper than any message needs (body map > payload map > args array)
// are refused, so a small hostile body cannot make a recursive reader overflow a stack.
inline constexpr size_t kMaxCborDepth = 16;

enum class CborMajor : uint8_t {
  kUnsigned = 0,
  kNegative = 1,
  kBytes = 2,
  kText = 3,
  kArray = 4,
  kMap = 5,
  kTag = 6,
  kSimple = 7,  // false, true, null, floats
};

// The head of one item: its major type and argument (the value of an integer, the length
// of a string, the count of an array or map, the bits of a float).
struct CborHead {
  CborMajor major = CborMajor::kUnsigned;
  uint8_t info = 0;  // the low five bits of the initial byte
  uint64_t argument = 0;

  bool is_null() const { return major == CborMajor::kSimple && info == 22; }
  bool is_bool() const { return major == CborMajor::kSimple && (info == 20 || info == 21); }
  bool is_float() const { return major == CborMajor::kSimple && info >= 25 && info <= 27; }
};

// "an unsigned integer", "a text string", ...: for error messages.
std::string_view cbor_type_name(const CborHead& head);

class CborReader {
 public:
  explicit CborReader(std::string_view data) : data_(data) {}

  size_t offset() const { return offset_; }
  bool at_end() const { return offset_ == data_.size(); }

  // The next item's head, consumed or not. A string's or container's length is checked
  // against the bytes left. Errors: kProtocol.
  Result<CborHead> peek_head() const;
  Result<CborHead> read_head();
  // The next item's content, for items of that type; errors name what was found instead.
  Result<std::string_view> read_text();
  Result<std::string_view> read_bytes();
  Result<uint64_t> read_map_size();
  Result<uint64_t> read_array_size();
  Result<bool> read_bool();
  // Skips one whole item, nested containers included, and returns its encoded bytes.
  // `depth` is the number of containers around it.
  Result<std::string_view> read_item(size_t depth = 0);

 private:
  // peek_head() plus the head's size in bytes.
  Result<CborHead> head_at(size_t& head_bytes) const;
  Result<void> skip_containers(const CborHead& head, size_t depth);

  std::string_view data_;
  size_t offset_ = 0;
};

// Checks that `body` is exactly one well-formed item of the subset (no trailing bytes).
// Errors: kProtocol naming the offset and the problem.
Result<void> check_cbor(std::string_view body);

}  // namespace msb::protocol
