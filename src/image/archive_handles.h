// Owning handles for libarchive objects (image/archive_api.h), and its error text.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "image/archive_api.h"

namespace msb::image {

struct ArchiveWriteFree {
  void operator()(archive* a) const { libarchive().write_free(a); }
};
struct ArchiveReadFree {
  void operator()(archive* a) const { libarchive().read_free(a); }
};
struct ArchiveEntryFree {
  void operator()(archive_entry* e) const { libarchive().entry_free(e); }
};
using ArchiveWriter = std::unique_ptr<archive, ArchiveWriteFree>;
using ArchiveReader = std::unique_ptr<archive, ArchiveReadFree>;
using ArchiveEntry = std::unique_ptr<archive_entry, ArchiveEntryFree>;

// libarchive's message for the last error on `a`.
inline std::string archive_message(archive* a) {
  const char* text = libarchive().error_string(a);
  return text != nullptr ? text : "unknown libarchive error";
}

// Writes `count` zero bytes of an entry's data to `tar`: how a sparse entry's holes are
// passed to the pax writer, which takes a file's bytes in order and keeps only those of
// its sparse map's data ranges. Errors: kIo with libarchive's message.
inline Result<void> archive_write_zeros(archive* tar, uint64_t count) {
  static const std::array<char, 64 * 1024> zeros{};
  while (count > 0) {
    size_t step = static_cast<size_t>(std::min<uint64_t>(count, zeros.size()));
    if (libarchive().write_data(tar, zeros.data(), step) < 0)
      return err(ErrorKind::kIo, "{}", archive_message(tar));
    count -= step;
  }
  return {};
}

}  // namespace msb::image
