// SECURITY: names come from the guest (queries) and from upstream (responses). Every
// length byte is checked against the message before the label is read, and the pointer
// rule in read_dns_name() makes loops impossible rather than merely counted.
#include "net/dns_name.h"

#include <algorithm>
#include <optional>

namespace msb::net {
namespace {

constexpr uint8_t kPointerBits = 0xc0;
constexpr int kMaxPointers = 128;  // more than any name has labels
constexpr size_t kMaxPointerOffset = 0x3fff;

Result<void> read_label(std::span<const uint8_t> message, size_t position, DnsName& name) {
  const size_t length = message[position];
  if (length & kPointerBits)
    return err(ErrorKind::kProtocol, "dns name: reserved label type {:#x}", length);
  // The label, its length byte and the root byte still to come must fit in 255.
  if (name.wire.size() + 1 + length + 1 > kDnsMaxNameSize)
    return err(ErrorKind::kProtocol, "dns name: longer than {} bytes", kDnsMaxNameSize);
  if (length + 1 > message.size() - position)
    return err(ErrorKind::kProtocol, "dns name: label runs past the message");
  std::span<const uint8_t> label = message.subspan(position, 1 + length);
  name.wire.insert(name.wire.end(), label.begin(), label.end());
  return {};
}

}  // namespace

Result<DnsName> read_dns_name(std::span<const uint8_t> message, size_t offset) {
  DnsName name;
  std::optional<size_t> end;  // set at the first pointer
  size_t position = offset;
  size_t run_start = offset;  // where the labels being read began
  for (int pointers = 0;;) {
    if (position >= message.size())
      return err(ErrorKind::kProtocol, "dns name: runs past the message");
    const uint8_t length = message[position];
    if (length == 0) break;
    if ((length & kPointerBits) != kPointerBits) {
      MSB_TRY(read_label(message, position, name));
      position += 1 + length;
      continue;
    }
    if (position + 1 >= message.size())
      return err(ErrorKind::kProtocol, "dns name: pointer runs past the message");
    const size_t target = size_t(length & ~kPointerBits) << 8 | message[position + 1];
    // SECURITY: strictly backwards from the start of the current run: each jump lands
    // earlier than the last, so the walk ends; nothing legitimate points at the header.
    if (target >= run_start || target < kDnsHeaderSize || ++pointers > kMaxPointers)
      return err(ErrorKind::kProtocol, "dns name: bad compression pointer to {}", target);
    if (!end) end = position + 2;
    position = run_start = target;
  }
  name.wire.push_back(0);
  name.end = end.value_or(position + 1);
  return name;
}

Result<std::string> dns_name_text(std::span<const uint8_t> wire) {
  std::string text;
  for (size_t position = 0; position < wire.size() && wire[position] != 0;) {
    const size_t length = wire[position];
    if (length > kDnsMaxLabelSize || position + 1 + length >= wire.size())
      return err(ErrorKind::kProtocol, "dns name: malformed wire form");
    if (!text.empty()) text += '.';
    for (uint8_t byte : wire.subspan(position + 1, length)) {
      // SECURITY: a '.' inside a label would make "a.b" of one label read as two.
      if (byte == '.' || byte < 0x21 || byte > 0x7e)
        return err(ErrorKind::kProtocol, "dns name: label byte {:#04x} not allowed", byte);
      text += char(byte >= 'A' && byte <= 'Z' ? byte - 'A' + 'a' : byte);
    }
    position += 1 + length;
  }
  return text;
}

std::string canonical_dns_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string text(name);
  for (char& c : text)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return text;
}

Result<void> append_dns_name(std::string_view text, std::vector<uint8_t>& out) {
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  std::vector<uint8_t> wire;
  while (!text.empty()) {
    const size_t dot = text.find('.');
    const std::string_view label = text.substr(0, dot);
    if (label.empty() || label.size() > kDnsMaxLabelSize)
      return err(ErrorKind::kInvalidArgument, "dns name: label of {} bytes", label.size());
    wire.push_back(uint8_t(label.size()));
    wire.insert(wire.end(), label.begin(), label.end());
    if (dot == text.npos) break;
    text.remove_prefix(dot + 1);
    if (text.empty()) return err(ErrorKind::kInvalidArgument, "dns name: empty last label");
  }
  wire.push_back(0);
  if (wire.size() > kDnsMaxNameSize)
    return err(ErrorKind::kInvalidArgument, "dns name: {} bytes on the wire", wire.size());
  out.insert(out.end(), wire.begin(), wire.end());
  return {};
}

void DnsNameCompressor::remember(std::span<const uint8_t> wire, size_t offset) {
  for (size_t position = 0; wire[position] != 0 && offset + position <= kMaxPointerOffset;
       position += 1 + wire[position]) {
    suffixes_.emplace(std::vector<uint8_t>(wire.begin() + ptrdiff_t(position), wire.end()),
                      offset + position);
  }
}

void DnsNameCompressor::append(std::span<const uint8_t> wire, std::vector<uint8_t>& out) {
  const size_t start = out.size();
  for (size_t position = 0; wire[position] != 0; position += 1 + wire[position]) {
    auto found =
        suffixes_.find(std::vector<uint8_t>(wire.begin() + ptrdiff_t(position), wire.end()));
    if (found != suffixes_.end()) {
      out.insert(out.end(), wire.begin(), wire.begin() + ptrdiff_t(position));
      out.push_back(uint8_t(kPointerBits | found->second >> 8));
      out.push_back(uint8_t(found->second));
      remember(wire, start);  // the labels before the pointer; the rest are known
      return;
    }
  }
  out.insert(out.end(), wire.begin(), wire.end());
  remember(wire, start);
}

}  // namespace msb::net
