// Copying a sparse file without filling its holes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"

namespace msb::os {

// Creates `target` (which must not exist; mode `mode`) with the size and the contents of
// `source`, writing only the ranges that hold data: a 4 GiB disk image with 300 KiB of
// metadata costs 300 KiB, not 4 GiB. The copy goes through the page cache and is not
// synced. On failure `target` is removed. Returns the bytes of data copied.
Result<uint64_t> copy_sparse_file(const std::string& source, const std::string& target,
                                  int mode = 0644);

// How clone_or_copy_file made its copy.
enum class CopyMethod {
  kReflink,  // FICLONE: the copy shares the source's blocks until either is written
  kSparse,   // copy_sparse_file: the data ranges copied, the holes kept
};

// As copy_sparse_file, but first tries a reflink (btrfs, XFS with reflink, bcachefs), which
// costs no data copy at all; falls back to the sparse copy where the filesystem cannot.
Result<CopyMethod> clone_or_copy_file(const std::string& source, const std::string& target,
                                      int mode = 0644);

// One range of a file that holds data (SEEK_DATA .. SEEK_HOLE): everything between ranges
// reads as zeros.
struct DataRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// The data ranges of open file `fd` below `size`, in order. A filesystem without hole
// support reports one range, the whole file.
Result<std::vector<DataRange>> data_ranges(int fd, uint64_t size);

}  // namespace msb::os
