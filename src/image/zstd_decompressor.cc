// zstd with libzstd's streaming decoder; concatenated (and skippable) frames are one stream.
#include <zstd.h>

#include "image/decompressor.h"

namespace msb::image {
namespace {

class ZstdDecompressor : public Decompressor {
 public:
  explicit ZstdDecompressor(std::unique_ptr<SourceBuffer> input)
      : input_(std::move(input)), context_(ZSTD_createDStream()) {
    MSB_CHECK(context_ != nullptr);
  }
  ~ZstdDecompressor() override { ZSTD_freeDStream(context_); }

  Result<size_t> read(std::span<char> out) override {
    size_t filled = 0;
    while (filled < out.size()) {
      if (input_->empty() && !source_ended_) source_ended_ = MSB_TRY(input_->refill()) == 0;
      std::span<const char> in = input_->data();
      ZSTD_inBuffer input{in.data(), in.size(), 0};
      ZSTD_outBuffer output{out.data(), out.size(), filled};
      size_t hint = ZSTD_decompressStream(context_, &output, &input);
      if (ZSTD_isError(hint))
        return err(ErrorKind::kInvalidArgument, "zstd: {}", ZSTD_getErrorName(hint));
      input_->consume(input.pos);
      bool progressed = input.pos > 0 || output.pos > filled;
      filled = output.pos;
      // Without progress the hint is about a next frame's header, which may never come.
      if (progressed) in_frame_ = hint != 0;
      if (source_ended_ && input_->empty() && !progressed) {
        if (in_frame_) return err(ErrorKind::kInvalidArgument, "truncated zstd stream");
        break;
      }
    }
    return filled;
  }

 private:
  std::unique_ptr<SourceBuffer> input_;
  ZSTD_DStream* context_;
  bool source_ended_ = false;
  bool in_frame_ = false;
};

}  // namespace

std::unique_ptr<Decompressor> make_zstd_decompressor(std::unique_ptr<SourceBuffer> input) {
  return std::make_unique<ZstdDecompressor>(std::move(input));
}

}  // namespace msb::image
