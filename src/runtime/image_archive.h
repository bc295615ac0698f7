// Image archives for `msb image load|save` (and the SDK): load a `docker save` tar or an
// OCI layout (tar or directory) into the cache and the store; save stored images as either.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "store/database.h"
#include "store/image_records.h"

namespace msb::runtime {

enum class ImageArchiveFormat {
  kDocker,  // what `docker save` writes and `docker load` reads
  kOci,     // an OCI image layout tar
};

// "docker" or "oci"; kInvalidArgument otherwise.
Result<ImageArchiveFormat> parse_image_archive_format(std::string_view name);

// Loads every image of the archive at `path` into $MSB_HOME/cache (blobs verified, layers
// unpacked) and records it in the store under `tag` when given (the archive must then
// hold one image), else under the names the archive gives (docker RepoTags, OCI
// annotations). Returns the images stored, each with the references just recorded. On an
// error nothing is recorded and the blobs this load added are removed again.
// Errors: kInvalidArgument (malformed archive, bad or missing name), kNotFound,
// kIntegrity (digests), kUnsupported, kIo.
Result<std::vector<store::ImageRecord>> load_image_archive(store::Database& db,
                                                           const std::string& path,
                                                           const std::optional<std::string>& tag);

// Writes the stored images named by `references` (references or manifest digests) to
// `path` in `format`, replacing it. Errors: kInvalidArgument (reference), kImageNotFound,
// kNotFound (a blob no longer cached: pull the image again), kIntegrity, kIo.
Result<void> save_image_archive(store::Database& db, const std::vector<std::string>& references,
                                const std::string& path, ImageArchiveFormat format);

}  // namespace msb::runtime
