#include "image/space_guard.h"

#include <algorithm>
#include <cerrno>

#include "os/disk_usage.h"

namespace msb::image {

uint64_t SpaceGuard::reserve_for(uint64_t filesystem_bytes) {
  return std::clamp(filesystem_bytes / 20, uint64_t{16} << 20, uint64_t{1} << 30);
}

Result<void> SpaceGuard::admit(std::string_view entry, uint64_t bytes) {
  if (!known_ || admitted_ + bytes > kRecheckBytes) {
    os::FilesystemSpace space = MSB_TRY(os::filesystem_space(dir_fd_));
    available_ = space.available_bytes;
    reserve_ = reserve_for(space.size_bytes);
    admitted_ = 0;
    known_ = true;
  }
  // Written as a subtraction-free comparison: `bytes` comes from an untrusted header.
  if (bytes > available_ || admitted_ + reserve_ > available_ - bytes) {
    return make_error(ErrorKind::kIo,
                      fmt::format("entry {} ({} MiB) would leave less than {} MiB free on the "
                                  "cache's filesystem ({} MiB available): not unpacking it",
                                  entry, bytes >> 20, reserve_ >> 20, available_ >> 20),
                      ENOSPC);
  }
  admitted_ += bytes;
  return {};
}

}  // namespace msb::image
