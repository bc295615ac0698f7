#include "image/byte_source.h"

#include <fcntl.h>

#include <cstring>

#include "os/file.h"
#include "os/io.h"

namespace msb::image {

Result<std::unique_ptr<FileSource>> FileSource::open(const std::string& path,
                                                     std::function<void(uint64_t)> progress) {
  os::Fd fd = MSB_TRY(os::open_file(path, O_RDONLY));
  return std::unique_ptr<FileSource>(new FileSource(std::move(fd), path, std::move(progress)));
}

Result<size_t> FileSource::read(std::span<char> buffer) {
  size_t got = MSB_TRY(os::read_some(fd_.get(), buffer).context("read {}", path_));
  offset_ += got;
  if (progress_ && got > 0) progress_(offset_);
  return got;
}

Result<size_t> SourceBuffer::refill() {
  if (!empty()) return end_ - begin_;
  begin_ = end_ = 0;
  end_ = MSB_TRY(source_.read(buffer_));
  return end_;
}

Result<size_t> SourceBuffer::peek(size_t count) {
  MSB_CHECK(count <= buffer_.size());
  if (end_ - begin_ >= count) return end_ - begin_;
  std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
  while (end_ < count) {
    size_t got = MSB_TRY(source_.read(std::span<char>(buffer_).subspan(end_)));
    if (got == 0) break;
    end_ += got;
  }
  return end_;
}

}  // namespace msb::image
