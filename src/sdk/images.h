// The image operations behind `msb pull` and `msb image ...` (and the SDK's Image API):
// each opens the state store, works, and closes it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "runtime/image_service.h"
#include "store/image_records.h"

namespace msb::sdk {

// Pulls `reference` from its registry even when stored (a moved tag is picked up); layers
// already in the cache are not downloaded again. Errors: those of runtime::ensure_image.
Result<store::ImageRecord> pull_image(std::string_view reference,
                                      const runtime::PullOptions& options);

// Every stored image, newest first.
Result<std::vector<store::ImageRecord>> list_images();

// The image named by a reference ("python", "docker.io/library/python:3.12") or a manifest
// digest. Errors: kInvalidArgument (reference), kImageNotFound.
Result<store::ImageRecord> inspect_image(std::string_view reference_or_digest);

// Removes a reference (or every reference of a manifest digest), then the image's files
// when nothing else uses them. Errors: kImageNotFound, kImageInUse (unless `force`: then
// only the references go and the sandboxes keep their image).
Result<store::RemovedImage> remove_image(std::string_view reference_or_digest, bool force);

// Removes every image no sandbox uses, and the cache files only they used.
Result<store::PrunedImages> prune_images();

}  // namespace msb::sdk
