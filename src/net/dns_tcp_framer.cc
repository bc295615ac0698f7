// SECURITY: the stream comes from the guest: its length prefixes decide how much is held
// here, so the buffer is capped and a zero length (which no DNS message has) ends it.
#include "net/dns_tcp_framer.h"

#include "common/error.h"
#include "net/byte_order.h"

namespace msb::net {
namespace {

constexpr size_t kPrefixSize = 2;

}  // namespace

void DnsTcpFramer::feed(std::span<const uint8_t> bytes) {
  if (failed_) return;
  buffer_.erase(buffer_.begin(), buffer_.begin() + ptrdiff_t(start_));
  start_ = 0;
  if (bytes.size() > kMaxBufferedBytes - buffer_.size()) return fail();
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  // Look at every length now in, so a zero one fails the stream at once.
  for (size_t position = 0; buffer_.size() - position >= kPrefixSize;) {
    const size_t length = load_be16(buffer_, position);
    if (length == 0) return fail();
    position += kPrefixSize + length;
    if (position > buffer_.size()) break;
  }
}

std::optional<std::vector<uint8_t>> DnsTcpFramer::next() {
  if (failed_ || buffered() < kPrefixSize) return std::nullopt;
  const size_t length = load_be16(buffer_, start_);
  if (buffered() - kPrefixSize < length) return std::nullopt;
  const auto begin = buffer_.begin() + ptrdiff_t(start_ + kPrefixSize);
  std::vector<uint8_t> message(begin, begin + ptrdiff_t(length));
  start_ += kPrefixSize + length;
  return message;
}

std::vector<uint8_t> DnsTcpFramer::frame(std::span<const uint8_t> message) {
  MSB_CHECK(message.size() <= 0xffff);
  std::vector<uint8_t> framed(kPrefixSize);
  store_be16(framed, 0, uint16_t(message.size()));
  framed.insert(framed.end(), message.begin(), message.end());
  return framed;
}

void DnsTcpFramer::fail() {
  failed_ = true;
  buffer_.clear();
  buffer_.shrink_to_fit();
  start_ = 0;
}

}  // namespace msb::net
