#include "image/decompressor.h"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace msb::image {
namespace {

constexpr std::string_view kGzipMagic("\x1f\x8b", 2);
constexpr std::string_view kZstdMagic("\x28\xb5\x2f\xfd", 4);

// An uncompressed layer: the bytes as they are.
class PlainDecompressor : public Decompressor {
 public:
  explicit PlainDecompressor(std::unique_ptr<SourceBuffer> input) : input_(std::move(input)) {}

  Result<size_t> read(std::span<char> out) override {
    size_t filled = 0;
    while (filled < out.size()) {
      if (MSB_TRY(input_->refill()) == 0) break;
      std::span<const char> data = input_->data();
      size_t take = std::min(data.size(), out.size() - filled);
      std::memcpy(out.data() + filled, data.data(), take);
      input_->consume(take);
      filled += take;
    }
    return filled;
  }

 private:
  std::unique_ptr<SourceBuffer> input_;
};

}  // namespace

Result<std::unique_ptr<Decompressor>> open_decompressor(ByteSource& source) {
  auto input = std::make_unique<SourceBuffer>(source);
  size_t buffered = MSB_TRY(input->peek(kZstdMagic.size()));
  if (buffered == 0) return err(ErrorKind::kInvalidArgument, "empty layer blob");
  std::string_view head(input->data().data(), buffered);
  if (head.starts_with(kGzipMagic)) return make_gzip_decompressor(std::move(input));
  if (head.starts_with(kZstdMagic)) return make_zstd_decompressor(std::move(input));
  return std::unique_ptr<Decompressor>(new PlainDecompressor(std::move(input)));
}

}  // namespace msb::image
