// gzip with isa-l's igzip inflate (about 3x zlib here), one member after another.
#include <isa-l/igzip_lib.h>

#include <string_view>

#include "image/decompressor.h"

namespace msb::image {
namespace {

const char* inflate_error(int code) {
  switch (code) {
    case ISAL_INVALID_BLOCK:
      return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
      return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
      return "invalid deflate distance";
    case ISAL_INVALID_WRAPPER:
      return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
      return "unsupported gzip compression method";
    case ISAL_INCORRECT_CHECKSUM:
      return "gzip checksum mismatch";
    default:
      return "inflate failed";
  }
}

class GzipDecompressor : public Decompressor {
 public:
  explicit GzipDecompressor(std::unique_ptr<SourceBuffer> input) : input_(std::move(input)) {
    start_member();
  }

  Result<size_t> read(std::span<char> out) override {
    size_t filled = 0;
    while (filled < out.size() && !ended_) {
      if (state_.block_state == ISAL_BLOCK_FINISH) {
        MSB_TRY(next_member());
        continue;
      }
      if (MSB_TRY(input_->refill()) == 0)
        return err(ErrorKind::kInvalidArgument, "truncated gzip stream");
      filled += MSB_TRY(inflate_some(out.subspan(filled)));
    }
    return filled;
  }

 private:
  void start_member() {
    isal_inflate_init(&state_);
    state_.crc_flag = ISAL_GZIP;  // parse the header, verify CRC-32 and size of the trailer
  }

  // One isal_inflate call over what is buffered; returns the bytes produced.
  Result<size_t> inflate_some(std::span<char> out) {
    std::span<const char> in = input_->data();
    state_.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(in.data()));
    state_.avail_in = static_cast<uint32_t>(in.size());
    state_.next_out = reinterpret_cast<uint8_t*>(out.data());
    state_.avail_out = static_cast<uint32_t>(out.size());
    int code = isal_inflate(&state_);
    input_->consume(in.size() - state_.avail_in);
    if (code != ISAL_DECOMP_OK) return err(ErrorKind::kInvalidArgument, "{}", inflate_error(code));
    return out.size() - state_.avail_out;
  }

  // After a member: the end of the blob, or another member (what gzip -c a b > c makes).
  // SECURITY: anything else after the stream is refused rather than ignored.
  Result<void> next_member() {
    size_t buffered = MSB_TRY(input_->peek(2));
    if (buffered == 0) {
      ended_ = true;
      return {};
    }
    if (!std::string_view(input_->data().data(), buffered).starts_with("\x1f\x8b"))
      return err(ErrorKind::kInvalidArgument, "data after the end of the gzip stream");
    start_member();
    return {};
  }

  std::unique_ptr<SourceBuffer> input_;
  inflate_state state_{};
  bool ended_ = false;
};

}  // namespace

std::unique_ptr<Decompressor> make_gzip_decompressor(std::unique_ptr<SourceBuffer> input) {
  return std::make_unique<GzipDecompressor>(std::move(input));
}

}  // namespace msb::image
