#include "os/sparse_copy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "os/fd.h"
#include "os/file.h"

namespace msb::os {
namespace {

// Copies [offset, end) of `in` to the same offset of `out`.
Result<void> copy_range(int in, int out, off_t offset, off_t end) {
  while (offset < end) {
    off_t in_offset = offset;
    off_t out_offset = offset;
    ssize_t copied =
        ::copy_file_range(in, &in_offset, out, &out_offset, static_cast<size_t>(end - offset), 0);
    if (copied < 0 && errno == EINTR) continue;
    if (copied < 0) return errno_error(errno, "copy_file_range");
    if (copied == 0) return err(ErrorKind::kIo, "source ended early at offset {}", offset);
    offset += copied;
  }
  return {};
}

Result<uint64_t> copy_data_ranges(int in, int out, off_t size) {
  uint64_t copied = 0;
  off_t offset = 0;
  while (offset < size) {
    off_t data = ::lseek(in, offset, SEEK_DATA);
    if (data < 0 && errno == ENXIO) break;  // only a hole is left
    if (data < 0) return errno_error(errno, "lseek SEEK_DATA");
    off_t hole = ::lseek(in, data, SEEK_HOLE);
    if (hole < 0) return errno_error(errno, "lseek SEEK_HOLE");
    MSB_TRY(copy_range(in, out, data, hole));
    copied += static_cast<uint64_t>(hole - data);
    offset = hole;
  }
  return copied;
}

}  // namespace

Result<uint64_t> copy_sparse_file(const std::string& source, const std::string& target, int mode) {
  Fd in = MSB_TRY(open_file(source, O_RDONLY));
  struct stat st {};
  if (::fstat(in.get(), &st) != 0) return errno_error(errno, "stat " + source);
  Fd out = MSB_TRY(open_file(target, O_WRONLY | O_CREAT | O_EXCL, mode));
  Result<uint64_t> copied = [&]() -> Result<uint64_t> {
    // The size first: the data ranges then land inside the file, the rest stays a hole.
    if (::ftruncate(out.get(), st.st_size) != 0) return errno_error(errno, "truncate");
    return copy_data_ranges(in.get(), out.get(), st.st_size);
  }();
  if (!copied) {
    (void)remove_file(target);
    return std::move(copied).context("copy {} to {}", source, target);
  }
  return copied;
}

}  // namespace msb::os
