#include "image/decompressor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <random>
#include <string>

#include "tar_builder.h"

namespace msb::image {
namespace {

using testing::Compression;

// Serves `data` at most `chunk` bytes per read, then fails with `failure` if one is set.
class StringSource : public ByteSource {
 public:
  StringSource(std::string data, size_t chunk, std::optional<Error> failure = std::nullopt)
      : data_(std::move(data)), chunk_(chunk), failure_(std::move(failure)) {}

  Result<size_t> read(std::span<char> buffer) override {
    size_t take = std::min({buffer.size(), chunk_, data_.size() - offset_});
    if (take == 0 && failure_) return tl::unexpected(*failure_);
    std::memcpy(buffer.data(), data_.data() + offset_, take);
    offset_ += take;
    return take;
  }

 private:
  std::string data_;
  size_t chunk_;
  std::optional<Error> failure_;
  size_t offset_ = 0;
};

// Compressible but not trivial: words from a small vocabulary, seeded.
std::string sample(size_t size, unsigned seed = 1) {
  static const char* kWords[] = {"layer ", "blob ", "sha256 ", "tar ", "\n", "0123456789 "};
  std::mt19937 random(seed);
  std::string text;
  while (text.size() < size) text += kWords[random() % 6];
  text.resize(size);
  return text;
}

// Everything `blob` decompresses to, read through outputs of `out_size` bytes.
Result<std::string> decompress(const std::string& blob, size_t chunk = 1 << 20,
                               size_t out_size = 100'000) {
  StringSource source(blob, chunk);
  std::unique_ptr<Decompressor> decompressor = MSB_TRY(open_decompressor(source));
  std::string out, buffer(out_size, '\0');
  for (;;) {
    size_t got = MSB_TRY(decompressor->read(buffer));
    if (got == 0) return out;
    out.append(buffer, 0, got);
  }
}

class DecompressorTest : public ::testing::TestWithParam<Compression> {};

TEST_P(DecompressorTest, RoundTripsWhateverTheReadSizes) {
  std::string data = sample(3'000'000);
  std::string blob = testing::compress(data, GetParam());
  for (auto [chunk, out] :
       {std::pair<size_t, size_t>{1 << 20, 100'000}, {1, 4096}, {7, 1}, {65536, 1 << 20}}) {
    Result<std::string> got = decompress(blob, chunk, out);
    ASSERT_TRUE(got.has_value()) << got.error().message;
    EXPECT_TRUE(*got == data) << "chunk " << chunk << " out " << out;
  }
}

TEST_P(DecompressorTest, ConcatenatedStreamsAreOneStream) {
  std::string first = sample(200'000, 2), second = sample(300'000, 3);
  std::string blob = testing::compress(first, GetParam()) + testing::compress(second, GetParam());
  Result<std::string> got = decompress(blob, 333);
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_TRUE(*got == first + second);
}

// gzip and zstd: the compressed streams, which mark their end.
class CompressedStreamTest : public ::testing::TestWithParam<Compression> {};

TEST_P(CompressedStreamTest, TruncatedStreamsFailAtEveryCut) {
  std::string blob = testing::compress(sample(100'000), GetParam());
  for (size_t cut : {size_t{5}, size_t{20}, blob.size() / 2, blob.size() - 5, blob.size() - 1}) {
    Result<std::string> got = decompress(blob.substr(0, cut));
    ASSERT_FALSE(got.has_value()) << "cut at " << cut << " of " << blob.size();
    EXPECT_EQ(got.error().kind, ErrorKind::kInvalidArgument) << got.error().message;
  }
}

TEST_P(CompressedStreamTest, DataAfterTheStreamFails) {
  std::string blob = testing::compress(sample(10'000), GetParam()) + "trailing garbage";
  Result<std::string> got = decompress(blob);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().kind, ErrorKind::kInvalidArgument);
}

TEST_P(DecompressorTest, SourceErrorsPassThrough) {
  std::string blob = testing::compress(sample(500'000), GetParam());
  StringSource source(blob.substr(0, blob.size() / 2), 4096,
                      Error{ErrorKind::kPermissionDenied, 0, "connection cut"});
  Result<std::unique_ptr<Decompressor>> decompressor = open_decompressor(source);
  ASSERT_TRUE(decompressor.has_value()) << decompressor.error().message;
  std::string buffer(65536, '\0');
  Result<size_t> got = size_t{1};
  while (got && *got > 0) got = (*decompressor)->read(buffer);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().kind, ErrorKind::kPermissionDenied);
  EXPECT_EQ(got.error().message, "connection cut");
}

INSTANTIATE_TEST_SUITE_P(All, DecompressorTest,
                         ::testing::Values(Compression::kNone, Compression::kGzip,
                                           Compression::kZstd));
INSTANTIATE_TEST_SUITE_P(All, CompressedStreamTest,
                         ::testing::Values(Compression::kGzip, Compression::kZstd));

TEST(GzipDecompressor, RejectsDamagedDataAndChecksums) {
  std::string data = sample(200'000);
  std::string blob = testing::compress(data, Compression::kGzip);
  std::string crc = blob, length = blob, body = blob, header = blob;
  crc[crc.size() - 6] ^= 0x55;        // CRC-32 of the trailer
  length[length.size() - 2] ^= 0x01;  // ISIZE of the trailer
  for (size_t i = blob.size() / 3; i < blob.size() / 3 + 64; ++i) body[i] = '\xff';
  header[2] = 7;  // compression method other than deflate
  for (const auto& [what, damaged] : {std::pair<const char*, std::string>{"crc", crc},
                                      {"length", length},
                                      {"body", body},
                                      {"method", header}}) {
    Result<std::string> got = decompress(damaged);
    ASSERT_FALSE(got.has_value()) << what;
    EXPECT_EQ(got.error().kind, ErrorKind::kInvalidArgument) << what;
  }
}

TEST(GzipDecompressor, AMemberOfNothingIsAnEmptyStream) {
  Result<std::string> got = decompress(testing::compress("", Compression::kGzip));
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_TRUE(got->empty());
}

TEST(Decompressor, EmptySourceFails) {
  StringSource source("", 10);
  Result<std::unique_ptr<Decompressor>> got = open_decompressor(source);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().kind, ErrorKind::kInvalidArgument);
}

TEST(Decompressor, ShortUncompressedStreamsPassThrough) {
  for (std::string data : {"a", "\x1f", "ab", "\x28\xb5\x2f"}) {
    Result<std::string> got = decompress(data, 1);
    ASSERT_TRUE(got.has_value()) << got.error().message;
    EXPECT_EQ(*got, data);
  }
}

}  // namespace
}  // namespace msb::image
