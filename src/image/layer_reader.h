// LayerReader: the tar inside a layer blob, with its compression (gzip, zstd or none)
// detected from the content, and the sha256 of the uncompressed stream (the layer's
// diff_id) computed on the way.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/error.h"
#include "image/digest.h"

struct archive;

namespace msb::image {

class LayerReader {
 public:
  // Opens the blob. `progress` (may be empty) is called with the number of blob bytes
  // consumed so far. Errors: kNotFound, kIo and other kinds from errno. Not thread-safe:
  // one reader per unpack.
  static Result<std::unique_ptr<LayerReader>> open(const std::string& blob_path,
                                                   std::function<void(uint64_t)> progress);
  LayerReader(const LayerReader&) = delete;
  LayerReader& operator=(const LayerReader&) = delete;
  ~LayerReader();

  // The tar reader (libarchive), positioned before the first header.
  archive* tar() const { return tar_; }
  // Reads what the tar reader left (end-of-archive padding) and returns the digest of the
  // whole uncompressed stream. Errors: kInvalidArgument when the stream is damaged.
  Result<std::string> finish();

 private:
  LayerReader() = default;
  static long read_callback(archive* tar, void* self, const void** buffer);
  long read_block(const void** buffer);

  archive* decompressed_ = nullptr;  // the blob through gzip/zstd/none, as one raw stream
  archive* tar_ = nullptr;           // tar entries read from decompressed_
  Sha256 hash_;
  std::function<void(uint64_t)> progress_;
  std::array<char, 1 << 17> buffer_{};
};

}  // namespace msb::image
