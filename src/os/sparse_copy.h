// Copying a sparse file without filling its holes.
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"

namespace msb::os {

// Creates `target` (which must not exist; mode `mode`) with the size and the contents of
// `source`, writing only the ranges that hold data: a 4 GiB disk image with 300 KiB of
// metadata costs 300 KiB, not 4 GiB. The copy goes through the page cache and is not
// synced. On failure `target` is removed. Returns the bytes of data copied.
Result<uint64_t> copy_sparse_file(const std::string& source, const std::string& target,
                                  int mode = 0644);

}  // namespace msb::os
