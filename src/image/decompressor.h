// Decompressor: the uncompressed stream of a layer blob. The compression is detected from
// the first bytes, as OCI allows: gzip (isa-l igzip, multi-member), zstd (libzstd, multi-
// frame), or none (anything else passes through and fails in the tar parser if not tar).
// The alternatives are sibling files: gzip_decompressor.cc, zstd_decompressor.cc.
#pragma once

#include <memory>
#include <span>

#include "common/error.h"
#include "image/byte_source.h"

namespace msb::image {

class Decompressor {
 public:
  virtual ~Decompressor() = default;
  // Fills `out` with uncompressed bytes, as many as fit unless the stream ends first; 0
  // only at the end. Errors: kInvalidArgument (damaged or truncated stream, data after
  // its end), those of the source. Not thread-safe.
  virtual Result<size_t> read(std::span<char> out) = 0;
};

// A decompressor over `source`, which must outlive it. Errors: kInvalidArgument (empty
// source), those of the source.
Result<std::unique_ptr<Decompressor>> open_decompressor(ByteSource& source);

// The alternatives, over an input whose buffered bytes start with their magic.
std::unique_ptr<Decompressor> make_gzip_decompressor(std::unique_ptr<SourceBuffer> input);
std::unique_ptr<Decompressor> make_zstd_decompressor(std::unique_ptr<SourceBuffer> input);

}  // namespace msb::image
