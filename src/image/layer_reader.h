// LayerReader: the tar inside a layer blob, with its compression (gzip, zstd or none)
// detected from the content (see decompressor.h), and the sha256 of the uncompressed
// stream (the layer's diff_id) computed on the way, on a thread of its own.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "image/byte_source.h"
#include "image/decompressor.h"
#include "image/sha256_worker.h"

struct archive;

namespace msb::image {

class LayerReader {
 public:
  // Reads the blob from `source`. Errors: kInvalidArgument (not a layer), those of the
  // source. Not thread-safe: one reader per unpack.
  static Result<std::unique_ptr<LayerReader>> open(std::unique_ptr<ByteSource> source);
  // Reads the blob file at `blob_path`; `progress` (may be empty) is called with the
  // number of blob bytes consumed so far. Errors: also kNotFound and kinds from errno.
  static Result<std::unique_ptr<LayerReader>> open(const std::string& blob_path,
                                                   std::function<void(uint64_t)> progress);
  LayerReader(const LayerReader&) = delete;
  LayerReader& operator=(const LayerReader&) = delete;
  ~LayerReader();

  // The tar reader (libarchive), positioned before the first header.
  archive* tar() const { return tar_; }
  // Why the tar reader failed: the source's or decompressor's error when one of them
  // failed, else kInvalidArgument with libarchive's message.
  Error read_error() const;
  // True once the source or the decompressor failed.
  bool read_failed() const { return failure_.has_value(); }
  // Reads what the tar reader left (end-of-archive padding) and returns the digest of the
  // whole uncompressed stream. Errors: kInvalidArgument when the stream is damaged, those
  // of the source.
  Result<std::string> finish();

 private:
  // Uncompressed bytes go through a ring of buffers: libarchive reads one while the
  // hashing thread still works on the ones before.
  static constexpr size_t kSlots = 4;
  static constexpr size_t kSlotBytes = 256 << 10;
  struct Slot {
    std::vector<char> data = std::vector<char>(kSlotBytes);
    uint64_t ticket = 0;  // of its last submission to the hasher
  };

  LayerReader() = default;
  static long read_callback(archive* tar, void* self, const void** buffer);
  long read_block(const void** buffer);

  std::unique_ptr<ByteSource> source_;
  std::unique_ptr<Decompressor> decompressed_;
  archive* tar_ = nullptr;  // tar entries read from decompressed_
  std::optional<Error> failure_;
  std::array<Slot, kSlots> slots_;
  size_t next_slot_ = 0;
  Sha256Worker hasher_;  // declared after slots_: stops before they are freed
};

}  // namespace msb::image
