// LayerStore: unpacked layers by diff_id under <cache_dir>/layers/sha256/<hex>/, each a
// directory ready to be an overlayfs lower layer. A layer is unpacked into a temporary
// directory beside (layers/tmp/) and appears under sha256/ by one rename, under a
// per-diff_id lock, so a crash never leaves a half layer visible.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/error.h"
#include "image/byte_source.h"
#include "image/cache_files.h"

namespace msb::image {

// Where an unpack reads its blob, and what must hold before its tree is published.
struct LayerSource {
  // Opens the blob stream (a file, or a download in progress).
  std::function<Result<std::unique_ptr<ByteSource>>()> open;
  // May be empty. Runs once the tree is unpacked and its diff_id checked, before it is
  // made durable and published (e.g. waits for the blob's own digest check); an error
  // discards the tree.
  std::function<Result<void>()> before_publish;
};

class LayerStore {
 public:
  // Creates the directories under `cache_dir` ($MSB_HOME/cache) as needed.
  static Result<LayerStore> open(const std::string& cache_dir);

  // Where layer `diff_id` lives once unpacked; "" when `diff_id` is not a valid digest.
  std::string path(const std::string& diff_id) const;
  bool contains(const std::string& diff_id) const;

  // The directory of layer `diff_id`, unpacked first from the blob at `blob_path` unless
  // present (see unpack_layer() for what is checked and preserved). Other threads and
  // processes asking for the same layer wait and then find it. Leftovers of a crashed
  // unpack of this layer are removed first. Errors: those of unpack_layer() (nothing is
  // published), kinds from errno. Thread-safe.
  Result<std::string> ensure_unpacked(const std::string& diff_id, const std::string& blob_path,
                                      const std::function<void(uint64_t)>& progress);
  // The same, unpacking from `source` (see LayerSource). Errors: also those of the source
  // and of source.before_publish.
  Result<std::string> ensure_unpacked(const std::string& diff_id, const LayerSource& source);

  // Deletes layer `diff_id` (it disappears at once, then its files go); succeeds when
  // absent. The caller makes sure no sandbox still uses it. Thread-safe.
  Result<void> remove(const std::string& diff_id);
  // diff_ids of the unpacked layers, sorted. Thread-safe.
  Result<std::vector<std::string>> list() const;
  // Bytes on disk of one layer (kNotFound when absent), or of all of them.
  Result<uint64_t> disk_usage(const std::string& diff_id) const;
  Result<uint64_t> total_disk_usage() const;

  // Test seam: see FaultPoint. Steps: "unpacked", "sync", "rename", "sync-dir".
  // REQUIRES: called before the store is shared between threads.
  void set_fault_point(FaultPoint fault) { fault_ = std::move(fault); }

 private:
  explicit LayerStore(std::string cache_dir) : cache_dir_(std::move(cache_dir)) {}
  std::string temp_root() const { return cache_dir_ + "/layers/tmp"; }
  Result<void> remove_leftovers(const std::string& hex) const;
  Result<void> unpack_and_publish(const std::string& diff_id, const std::string& hex,
                                  const LayerSource& source) const;

  std::string cache_dir_;
  FaultPoint fault_;
};

}  // namespace msb::image
