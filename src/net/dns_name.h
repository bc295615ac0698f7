// DNS names (RFC 1035 3.1 and 4.1.4): read off the wire through compression pointers,
// turned into the canonical text that policy matches, and written back, compressed or not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace msb::net {

inline constexpr size_t kDnsHeaderSize = 12;
inline constexpr size_t kDnsMaxNameSize = 255;  // on the wire: length bytes and root included
inline constexpr size_t kDnsMaxLabelSize = 63;

struct DnsName {
  std::vector<uint8_t> wire;  // uncompressed: each label with its length byte, then 0
  size_t end = 0;             // the offset just past the name where it was read
};

// Reads the name at `offset` in `message`, following compression pointers. kProtocol when
// it runs past the message, has a label over 63 bytes or a reserved label type, is over 255
// bytes uncompressed, or has a pointer into the header, to itself or forward of the labels
// it continues (every pointer must land before the run of labels it ends, so no chain can
// loop), or more than 128 pointers. Thread-safe.
[[nodiscard]] Result<DnsName> read_dns_name(std::span<const uint8_t> message, size_t offset);

// The canonical text of an uncompressed wire name: labels joined by '.', ASCII letters in
// lower case, no trailing dot; "" for the root. kProtocol when a label holds a '.' or a byte
// outside printable ASCII (0x21-0x7e), so that one text never stands for two names.
// Thread-safe.
[[nodiscard]] Result<std::string> dns_name_text(std::span<const uint8_t> wire);

// Lower-cases ASCII letters and drops one trailing dot: "WWW.Example.com." → "www.example.com".
std::string canonical_dns_name(std::string_view name);

// Appends the uncompressed wire form of a text name ("" and "." are the root; one trailing
// dot is allowed). kInvalidArgument for an empty label, a label over 63 bytes or a name over
// 255 bytes on the wire; `out` is then unchanged. Thread-safe.
[[nodiscard]] Result<void> append_dns_name(std::string_view text, std::vector<uint8_t>& out);

// Writes names into one message, pointing at an earlier copy of any suffix already written
// (RFC 1035 4.1.4). Suffixes match byte for byte, so every name keeps its case. A value
// tied to one output buffer; not thread-safe.
class DnsNameCompressor {
 public:
  // Notes a name already in `out` at `offset` (such as the question copied verbatim).
  // REQUIRES: `wire` is the uncompressed form of the name at `offset`.
  void remember(std::span<const uint8_t> wire, size_t offset);
  // Appends `wire` (an uncompressed wire name) to `out`, compressed.
  void append(std::span<const uint8_t> wire, std::vector<uint8_t>& out);

 private:
  std::map<std::vector<uint8_t>, size_t> suffixes_;  // uncompressed suffix → its offset
};

}  // namespace msb::net
