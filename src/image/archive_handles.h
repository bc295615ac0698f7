// Owning handles for libarchive objects (image/archive_api.h), and its error text.
#pragma once

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

}  // namespace msb::image
