#include "os/sparse_copy.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
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
  for (const DataRange& range : MSB_TRY(data_ranges(in, static_cast<uint64_t>(size)))) {
    MSB_TRY(copy_range(in, out, static_cast<off_t>(range.offset),
                       static_cast<off_t>(range.offset + range.length)));
    copied += range.length;
  }
  return copied;
}

}  // namespace

Result<std::vector<DataRange>> data_ranges(int fd, uint64_t size) {
  std::vector<DataRange> ranges;
  off_t end = static_cast<off_t>(size);
  off_t offset = 0;
  while (offset < end) {
    off_t data = ::lseek(fd, offset, SEEK_DATA);
    if (data < 0 && errno == ENXIO) break;  // only a hole is left
    if (data < 0) return errno_error(errno, "lseek SEEK_DATA");
    if (data >= end) break;
    off_t hole = ::lseek(fd, data, SEEK_HOLE);
    if (hole < 0) return errno_error(errno, "lseek SEEK_HOLE");
    if (hole > end) hole = end;
    ranges.push_back({static_cast<uint64_t>(data), static_cast<uint64_t>(hole - data)});
    offset = hole;
  }
  return ranges;
}

Result<CopyMethod> clone_or_copy_file(const std::string& source, const std::string& target,
                                      int mode) {
  {
    Fd in = MSB_TRY(open_file(source, O_RDONLY));
    Fd out = MSB_TRY(open_file(target, O_WRONLY | O_CREAT | O_EXCL, mode));
    if (::ioctl(out.get(), FICLONE, in.get()) == 0) return CopyMethod::kReflink;
    int error = errno;
    (void)remove_file(target);
    // Anything but "this filesystem (pair) cannot share blocks" is a real failure.
    if (error != EOPNOTSUPP && error != EXDEV && error != EINVAL && error != ENOTTY &&
        error != ENOSYS)
      return errno_error(error, fmt::format("clone {} to {}", source, target));
  }
  MSB_TRY(copy_sparse_file(source, target, mode));
  return CopyMethod::kSparse;
}

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
