// `msb image load|save` (and the SDK): image archives in and out of the local store. Each
// call opens the state store, works, and closes it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "runtime/image_archive.h"
#include "store/image_records.h"

namespace msb::sdk {

// Loads a `docker save` tar or an OCI layout (tar or directory), naming its one image
// `tag` when given. `path` "-" reads a tar from standard input (staged in the cache,
// removed after). Errors: those of runtime::load_image_archive.
Result<std::vector<store::ImageRecord>> load_images(const std::string& path,
                                                    const std::optional<std::string>& tag);

// Saves the images `references` name to `path`; `format` is "docker" or "oci".
// Errors: those of runtime::save_image_archive, kInvalidArgument for the format.
Result<void> save_images(const std::vector<std::string>& references, const std::string& path,
                         const std::string& format);

}  // namespace msb::sdk
