// GrowingFile: a blob file that one thread downloads while another reads it from the
// start, so that a layer is unpacked while its blob is still arriving. The writer reports
// how many bytes of the file are written; the reader waits for them. Nothing here checks
// the bytes: the blob's digest (downloader) and the layer's diff_id (unpack) do, and the
// caller publishes nothing before both did.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/error.h"
#include "image/byte_source.h"
#include "os/fd.h"

namespace msb::image {

class GrowingFile {
 public:
  explicit GrowingFile(std::string path) : path_(std::move(path)) {}
  GrowingFile(const GrowingFile&) = delete;
  GrowingFile& operator=(const GrowingFile&) = delete;

  // Writer side. The first `size` bytes of the file at the path are written. A size below
  // the last one means the file was truncated or replaced (a download that restarts): the
  // file is opened again. An error opening it is kept for the reader. Thread-safe.
  void advance(uint64_t size);
  // The file is complete at `size` bytes (and was verified). Thread-safe.
  void complete(uint64_t size);
  // The download failed: the reader gets `error` instead of more bytes. Thread-safe.
  void fail(Error error);

  // The reader: bytes from the start of the file as they are written; blocks until more
  // arrive, the file is complete (then 0 at its end) or failed (then the writer's error).
  // If a restart replaced bytes it had read, what it returns is no longer the blob: the
  // layer's diff_id check fails. Errors: the writer's, kIo when the file is shorter than
  // reported, kinds from errno. Thread-safe against the writer; one reader.
  std::unique_ptr<ByteSource> reader();

 private:
  class Reader;
  void report(uint64_t size, bool complete);
  void open_locked();

  const std::string path_;
  std::mutex mutex_;
  std::condition_variable changed_;
  uint64_t available_ = 0;        // GUARDED_BY(mutex_)
  uint64_t sequence_ = 0;         // GUARDED_BY(mutex_): counts writer calls
  bool complete_ = false;         // GUARDED_BY(mutex_)
  std::optional<Error> failure_;  // GUARDED_BY(mutex_)
  std::shared_ptr<os::Fd> fd_;    // GUARDED_BY(mutex_): shared with a read in progress
};

}  // namespace msb::image
