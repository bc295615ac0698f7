// SpaceGuard: stops an unpack before it fills the filesystem the cache is on. A layer's
// unpacked size is not bounded by its compressed size (a decompression bomb turns
// kilobytes into terabytes), but every byte a tar writes is declared first in the header
// of its entry: the guard admits each entry's declared size against the free space.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/error.h"

namespace msb::image {

class SpaceGuard {
 public:
  // The free space is read again once this much was admitted since the last look.
  static constexpr uint64_t kRecheckBytes = uint64_t{64} << 20;

  // The room an unpack leaves free on a filesystem of `filesystem_bytes`: 5 %, at least
  // 16 MiB and at most 1 GiB.
  static uint64_t reserve_for(uint64_t filesystem_bytes);

  // Guards writes to the filesystem of `dir_fd` (borrowed: it must outlive the guard).
  explicit SpaceGuard(int dir_fd) : dir_fd_(dir_fd) {}

  // Admits `bytes` about to be written for `entry`. Several unpacks at once each see the
  // same free space, so they may overshoot by up to kRecheckBytes each: the reserve
  // absorbs that. Errors: kIo with sys_errno ENOSPC ("entry X (N MiB) would leave less
  // than R MiB free ..."), kinds from errno for fstatvfs. Not thread-safe.
  Result<void> admit(std::string_view entry, uint64_t bytes);

 private:
  int dir_fd_;
  bool known_ = false;
  uint64_t available_ = 0;  // at the last look
  uint64_t reserve_ = 0;
  uint64_t admitted_ = 0;  // since the last look
};

}  // namespace msb::image
