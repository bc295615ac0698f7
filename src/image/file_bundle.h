// A few named files as one tar (pax), holes kept: how `msb snapshot save` packs a snapshot
// (its descriptor, its layer, optionally its image) and `load` unpacks one.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"

namespace msb::image {

struct BundleFile {
  std::string name;  // the entry's name: one path component
  std::string path;  // the file on the host
};

// Writes `files`, in order, to `out` through a temporary sibling renamed into place. A
// sparse file is stored with its sparse map: a 4 GiB disk holding 300 KiB of data takes
// about 300 KiB. Errors: kNotFound, kIo.
Result<void> write_file_bundle(const std::string& out, const std::vector<BundleFile>& files);

// Extracts the bundle at `archive_path` into the existing directory `dir`. The archive is
// not trusted: every entry must be a regular file whose name is one of `allowed`, each at
// most once, each at most `max_file_bytes` (apparent size); anything else is
// kInvalidArgument naming the entry. Holes stay holes. Returns the names extracted, in
// archive order. On failure the files extracted so far stay (the caller removes `dir`).
Result<std::vector<std::string>> extract_file_bundle(const std::string& archive_path,
                                                     const std::string& dir,
                                                     const std::set<std::string>& allowed,
                                                     uint64_t max_file_bytes);

}  // namespace msb::image
