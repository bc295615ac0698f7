// ByteSource: a sequential stream of bytes that a layer is unpacked from (a blob file, or
// a blob still being downloaded: see growing_file.h), and the SourceBuffer the
// decompressors read it through.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/error.h"
#include "os/fd.h"

namespace msb::image {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to buffer.size() bytes into `buffer`; 0 only at the end of the stream.
  // Errors: those of the source (kIo and kinds from errno). Not thread-safe.
  virtual Result<size_t> read(std::span<char> buffer) = 0;
};

// A whole file, read from its start.
class FileSource : public ByteSource {
 public:
  // `progress` (may be empty) is called with the number of bytes read so far. Errors:
  // kNotFound and other kinds from errno.
  static Result<std::unique_ptr<FileSource>> open(const std::string& path,
                                                  std::function<void(uint64_t)> progress);
  Result<size_t> read(std::span<char> buffer) override;

 private:
  FileSource(os::Fd fd, std::string path, std::function<void(uint64_t)> progress)
      : fd_(std::move(fd)), path_(std::move(path)), progress_(std::move(progress)) {}

  os::Fd fd_;
  std::string path_;
  std::function<void(uint64_t)> progress_;
  uint64_t offset_ = 0;
};

// A read buffer over a ByteSource: decompressors look at what is buffered, consume part
// of it and ask for more. Not thread-safe.
class SourceBuffer {
 public:
  explicit SourceBuffer(ByteSource& source, size_t capacity = 256 << 10)
      : source_(source), buffer_(capacity) {}

  std::span<const char> data() const { return {buffer_.data() + begin_, end_ - begin_}; }
  void consume(size_t count) { begin_ += count; }
  bool empty() const { return begin_ == end_; }
  // Reads more from the source when nothing is buffered; returns the buffered byte count,
  // 0 at the end of the source.
  Result<size_t> refill();
  // Buffers at least `count` bytes unless the source ends first; returns the buffered
  // count. REQUIRES: count <= capacity.
  Result<size_t> peek(size_t count);

 private:
  ByteSource& source_;
  std::vector<char> buffer_;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace msb::image
