// The content digest of a disk image or archive that may be sparse: what `msb snapshot
// inspect --verify` recomputes to catch a damaged snapshot.
#pragma once

#include <string>

#include "common/error.h"

namespace msb::image {

// The name of the algorithm, and the prefix of its digests.
inline constexpr const char* kSparseDigestAlgorithm = "msb-sparse-sha256-v1";

// "msb-sparse-sha256-v1:<hex>": SHA-256 over the file's size and every 4 KiB block that is
// not all zeros (its index, then its bytes). Holes and zero blocks count alike, so a copy
// that keeps, fills or punches holes has the same digest, and a 4 GiB disk holding 300 KiB
// of data reads 300 KiB (holes are skipped with SEEK_DATA/SEEK_HOLE). Any changed byte,
// and any change of size, changes the digest. Errors: kNotFound, kIo (with the path), and
// kUnsupported without libcrypto. Thread-safe.
Result<std::string> sparse_content_digest(const std::string& path);

}  // namespace msb::image
