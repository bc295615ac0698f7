#include "image/sparse_digest.h"

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "image/digest.h"
#include "os/file.h"
#include "os/fs_calls.h"
#include "os/sparse_copy.h"

namespace msb::image {
namespace {

constexpr uint64_t kBlock = 4096;
// Blocks read per call: large reads, few system calls.
constexpr uint64_t kChunk = 256 * kBlock;

bool all_zero(const char* data, size_t size) {
  static const std::array<char, kBlock> zeros{};
  return std::memcmp(data, zeros.data(), size) == 0;
}

void hash_block_index(Sha256& hash, uint64_t index) {
  std::array<unsigned char, 8> bytes{};
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(index >> (8 * i));
  hash.update(bytes.data(), bytes.size());
}

}  // namespace

Result<std::string> sparse_content_digest(const std::string& path) {
  MSB_TRY(Sha256::available());
  Result<std::string> digest = [&]() -> Result<std::string> {
    os::Fd fd = MSB_TRY(os::open_file(path, O_RDONLY | O_CLOEXEC));
    uint64_t size = MSB_TRY(os::stat_fd(fd.get())).size;
    Sha256 hash;
    std::string header = fmt::format("{}\n{}\n", kSparseDigestAlgorithm, size);
    hash.update(header.data(), header.size());
    std::vector<char> buffer(kChunk);
    for (const os::DataRange& range : MSB_TRY(os::data_ranges(fd.get(), size))) {
      // Whole blocks: a range may start or end inside one (on filesystems with smaller
      // allocation units), and each block is hashed once.
      uint64_t block = range.offset / kBlock;
      uint64_t end = range.offset + range.length;
      for (uint64_t offset = block * kBlock; offset < end;) {
        uint64_t want = std::min<uint64_t>(kChunk, std::max<uint64_t>(end - offset, kBlock));
        want = std::min<uint64_t>(want, size - offset);
        size_t got = MSB_TRY(os::read_at_offset(
            fd.get(), std::span(buffer.data(), static_cast<size_t>(want)), offset));
        if (got != want) return err(ErrorKind::kIo, "short read at offset {}", offset);
        for (uint64_t at = 0; at < got; at += kBlock) {
          size_t length = static_cast<size_t>(std::min<uint64_t>(kBlock, got - at));
          if (all_zero(buffer.data() + at, length)) continue;
          hash_block_index(hash, (offset + at) / kBlock);
          hash.update(buffer.data() + at, length);
        }
        offset += got;
      }
    }
    std::string hex = hash.finish().substr(sizeof("sha256:") - 1);
    return fmt::format("{}:{}", kSparseDigestAlgorithm, hex);
  }();
  return std::move(digest).context("digest {}", path);
}

}  // namespace msb::image
