// FileLock: an exclusive flock(2) on a lock file, held until destruction. The lock belongs
// to the open file description, so two threads of one process (each with its own FileLock)
// exclude each other just as two processes do; the kernel drops it when the holder dies.
#pragma once

#include <string>
#include <utility>

#include "common/error.h"
#include "os/fd.h"

namespace msb::os {

class FileLock {
 public:
  // Creates `path` (mode 0644) if needed and waits until the lock is ours. Errors: kinds
  // from errno (kNotFound when the directory is missing), message with the path.
  // Thread-safe.
  static Result<FileLock> acquire(const std::string& path);
  // Like acquire() but returns kAlreadyExists at once when someone else holds the lock.
  static Result<FileLock> try_acquire(const std::string& path);

  FileLock(FileLock&&) noexcept = default;
  FileLock& operator=(FileLock&&) noexcept = default;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  // Closing the fd releases the lock. The lock file stays: removing it would race with
  // a waiter that has it open already.
  ~FileLock() = default;

  const std::string& path() const { return path_; }

 private:
  FileLock(std::string path, Fd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  static Result<FileLock> lock(const std::string& path, bool wait);

  std::string path_;
  Fd fd_;
};

// A flock(2) on an existing file that is not a lock file of its own (a disk image), without
// waiting: shared (readers) or exclusive (a writer), held while the returned fd is open.
// The file is opened read-only and never created. Errors: kAlreadyExists when a holder of
// a conflicting lock exists, kNotFound, errno kinds.
Result<Fd> try_lock_existing_file(const std::string& path, bool shared);

}  // namespace msb::os
