// pull_layer: one layer blob downloaded into the blob cache and unpacked into the layer
// store at the same time; the unpack reads the blob's partial file as it grows.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/error.h"
#include "image/blob_cache.h"
#include "image/layer_store.h"
#include "image/manifest.h"

namespace msb::image {

// Writes the whole blob into `partial_path` (resuming what a killed pull left there),
// calling progress(bytes written so far) after each write, and checks its size and
// digest (RegistryClient::fetch_blob does all this).
using BlobFetch = std::function<Result<void>(const std::string& partial_path,
                                             const std::function<void(uint64_t)>& progress)>;

// The directory of layer `diff_id`, whose blob is `blob`. Unless the layer is unpacked
// already: under the blob's lock, a cached blob is unpacked; else fetch() runs on a thread
// of its own while the unpack follows the partial file (growing_file.h). The layer and
// the blob are published only once BOTH the blob's digest (fetch) and the diff_id
// (unpack) checked out; a failed fetch discards the unpacked tree and returns the fetch's
// error (the partial stays for a resume, unless it was wrong). If the fetch succeeded but
// the unpack that followed it failed (a restarted download can change bytes it read), the
// verified blob is unpacked once more, and that result stands. `progress` (may be empty)
// gets the fetch's byte counts, on the fetching thread. Errors: those of fetch, of
// unpack_layer() and of the caches. Thread-safe.
Result<std::string> pull_layer(BlobCache& blobs, LayerStore& layers, const Descriptor& blob,
                               const std::string& diff_id, const BlobFetch& fetch,
                               const std::function<void(uint64_t)>& progress);

}  // namespace msb::image
