#include "net/frame_link.h"

#include <cerrno>
#include <cstring>

#include "os/io.h"

namespace msb::net {
namespace {

// About what a NIC's transmit ring holds; beyond that the guest's TCP has to slow down.
constexpr size_t kMaxQueuedBytes = 1 << 20;

bool would_block(const Error& error) {
  return error.sys_errno == EAGAIN || error.sys_errno == EWOULDBLOCK;
}

uint32_t read_be32(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         bytes[3];
}

}  // namespace

FrameLink::FrameLink(os::Fd fd, Format format) : fd_(std::move(fd)), format_(format) {}

Result<bool> FrameLink::read_frames(const std::function<void(std::span<const uint8_t>)>& deliver,
                                    int reads) {
  return format_ == Format::kTap ? read_tap(deliver, reads) : read_stream(deliver, reads);
}

Result<bool> FrameLink::read_tap(const std::function<void(std::span<const uint8_t>)>& deliver,
                                 int reads) {
  std::vector<char> buffer(kMaxFrameBytes);
  // A bounded batch: the other fds get their turn.
  for (int batch = 0; batch < reads; ++batch) {
    Result<size_t> got = os::read_some(fd_.get(), buffer);
    if (!got) {
      if (would_block(got.error())) return true;
      return tl::unexpected(got.error());
    }
    if (*got == 0) return false;
    deliver({reinterpret_cast<const uint8_t*>(buffer.data()), *got});
  }
  return true;
}

Result<bool> FrameLink::read_stream(const std::function<void(std::span<const uint8_t>)>& deliver,
                                    int reads) {
  char chunk[64 * 1024];
  for (int batch = 0; batch < reads; ++batch) {
    Result<size_t> got = os::read_some(fd_.get(), chunk);
    if (!got) {
      if (would_block(got.error())) return true;
      return tl::unexpected(got.error());
    }
    if (*got == 0) return false;
    input_.insert(input_.end(), chunk, chunk + *got);
    size_t at = 0;
    while (input_.size() - at >= 4) {
      uint32_t length = read_be32(&input_[at]);
      if (length > kMaxFrameBytes)
        return err(ErrorKind::kProtocol, "network frame of {} bytes (at most {})", length,
                   kMaxFrameBytes);
      if (input_.size() - at - 4 < length) break;
      deliver({&input_[at + 4], length});
      at += 4 + length;
    }
    input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(at));
  }
  return true;
}

void FrameLink::send(std::span<const uint8_t> frame) {
  if (frame.size() > kMaxFrameBytes || output_bytes_ + frame.size() > kMaxQueuedBytes) {
    ++dropped_;
    return;
  }
  std::string encoded;
  if (format_ == Format::kLengthPrefixed) {
    uint32_t length = static_cast<uint32_t>(frame.size());
    uint8_t prefix[4] = {uint8_t(length >> 24), uint8_t(length >> 16), uint8_t(length >> 8),
                         uint8_t(length)};
    encoded.append(reinterpret_cast<const char*>(prefix), 4);
  }
  encoded.append(reinterpret_cast<const char*>(frame.data()), frame.size());
  output_bytes_ += encoded.size();
  output_.push_back(std::move(encoded));
  (void)flush();
}

Result<void> FrameLink::flush() {
  while (!output_.empty()) {
    const std::string& front = output_.front();
    std::span<const char> rest(front.data() + output_offset_, front.size() - output_offset_);
    Result<size_t> wrote = os::write_some(fd_.get(), rest);
    if (!wrote) {
      if (would_block(wrote.error())) return {};
      // A TAP device whose interface is down refuses frames: they are lost, as on a wire.
      if (format_ == Format::kTap && wrote.error().sys_errno == EIO) {
        output_bytes_ -= front.size();
        output_.pop_front();
        ++dropped_;
        continue;
      }
      return tl::unexpected(wrote.error());
    }
    output_offset_ += *wrote;
    // A TAP device takes a frame whole or not at all.
    if (output_offset_ == front.size() || format_ == Format::kTap) {
      output_bytes_ -= front.size();
      output_.pop_front();
      output_offset_ = 0;
    }
  }
  return {};
}

}  // namespace msb::net
