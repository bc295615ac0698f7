// DNS over TCP (RFC 1035 4.2.2, RFC 7766): each message goes behind a two-byte big-endian
// length. The framer cuts a byte stream from the guest back into messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace msb::net {

// Collects stream bytes and hands out whole messages. A stream that announces a zero-length
// message, or that has more than kMaxBufferedBytes waiting, fails for good: the caller then
// closes the connection. Not thread-safe (one per connection).
class DnsTcpFramer {
 public:
  // Room for one whole 65535-byte message and the next one's start: a caller that drains
  // next() after each feed() of at most 64 KiB + 2 bytes never reaches it.
  static constexpr size_t kMaxBufferedBytes = 2 * (2 + 65535);

  // Appends stream bytes. Ignored once failed().
  void feed(std::span<const uint8_t> bytes);
  // The next whole message (without its length), or nullopt if none is complete yet or the
  // stream failed.
  std::optional<std::vector<uint8_t>> next();
  bool failed() const { return failed_; }
  // Bytes received and not yet handed out by next().
  size_t buffered() const { return buffer_.size() - start_; }

  // `message` behind its length. REQUIRES: message.size() <= 65535.
  static std::vector<uint8_t> frame(std::span<const uint8_t> message);

 private:
  void fail();

  std::vector<uint8_t> buffer_;
  size_t start_ = 0;  // where the first message next() has not returned begins
  bool failed_ = false;
};

}  // namespace msb::net
