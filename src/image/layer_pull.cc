#include "image/layer_pull.h"

#include <optional>
#include <thread>

#include "image/digest.h"
#include "image/growing_file.h"

namespace msb::image {
namespace {

// The fetch of one blob on its own thread, feeding a GrowingFile.
class BackgroundFetch {
 public:
  BackgroundFetch(const BlobFetch& fetch, const Descriptor& blob, const std::string& partial,
                  const std::function<void(uint64_t)>& progress)
      : file_(partial), thread_([this, &fetch, &blob, &partial, &progress] {
          Result<void> done = fetch(partial, [&](uint64_t bytes) {
            file_.advance(bytes);
            if (progress) progress(bytes);
          });
          if (done) file_.complete(static_cast<uint64_t>(blob.size));
          if (!done) file_.fail(done.error());
          result_ = std::move(done);
        }) {}

  GrowingFile& file() { return file_; }
  // Waits for the fetch; its result.
  Result<void> wait() {
    if (thread_.joinable()) thread_.join();
    return *result_;
  }

 private:
  GrowingFile file_;
  std::optional<Result<void>> result_;  // written by the thread, read after join
  std::jthread thread_;                 // last: joined before the members it uses go
};

}  // namespace

Result<std::string> pull_layer(BlobCache& blobs, LayerStore& layers, const Descriptor& blob,
                               const std::string& diff_id, const BlobFetch& fetch,
                               const std::function<void(uint64_t)>& progress) {
  MSB_TRY(digest_hex(diff_id));
  if (layers.contains(diff_id)) return layers.path(diff_id);
  BlobCache::LockedBlob locked = MSB_TRY(blobs.lock(blob.digest));
  if (locked.cached) return layers.ensure_unpacked(diff_id, locked.path, nullptr);

  BackgroundFetch fetching(fetch, blob, locked.partial, progress);
  bool publish_tried = false;
  auto publish_blob = [&]() -> Result<void> {
    MSB_TRY(fetching.wait());
    publish_tried = true;
    MSB_TRY(blobs.publish(locked, blob.size, DigestCheck::kByFetch));
    return {};
  };
  Result<std::string> unpacked = layers.ensure_unpacked(
      diff_id, LayerSource{.open = [&]() -> Result<std::unique_ptr<ByteSource>> {
                             return fetching.file().reader();
                           },
                           .before_publish = publish_blob});
  if (unpacked) {
    // The layer may have been there already (another process): keep the blob all the same.
    if (!publish_tried) MSB_TRY(publish_blob());
    return unpacked;
  }
  MSB_TRY(fetching.wait());  // a failed download explains a failed unpack
  if (publish_tried) return unpacked;
  // The blob is verified; the unpack that followed its download was not: do it again from
  // the blob itself (a wrong layer fails again, with the same error).
  return layers.ensure_unpacked(diff_id,
                                LayerSource{.open = [&]() -> Result<std::unique_ptr<ByteSource>> {
                                              return FileSource::open(locked.partial, nullptr);
                                            },
                                            .before_publish = publish_blob});
}

}  // namespace msb::image
