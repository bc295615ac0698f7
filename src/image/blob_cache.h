// BlobCache: downloaded blobs by digest under <cache_dir>/blobs/sha256/<hex>. A blob being
// fetched lives in blobs/partial/<hex> (kept across crashes so that the next pull resumes
// it) and only appears under sha256/ once its size and digest check out and it is on disk.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/error.h"
#include "image/cache_files.h"
#include "os/file_lock.h"

namespace msb::image {

// Who checks a fetched blob's digest: the cache (reading the partial file again), or the
// fetch itself, which hashed the bytes as it wrote them (RegistryClient::fetch_blob).
enum class DigestCheck { kByCache, kByFetch };

class BlobCache {
 public:
  // A blob under its exclusive lock (see lock()), held until this is destroyed.
  struct LockedBlob {
    std::string digest;
    std::string path;     // where it is once cached
    std::string partial;  // where a fetch writes it
    bool cached = false;  // already under path
    os::FileLock lock;
  };

  // Creates the directories under `cache_dir` ($MSB_HOME/cache) as needed. Errors: kIo
  // and other kinds from errno.
  static Result<BlobCache> open(const std::string& cache_dir);

  // Where the blob `digest` lives once cached; "" when `digest` is not a valid digest.
  std::string path(const std::string& digest) const;
  // Where a fetch of `digest` in progress writes; "" when not a valid digest.
  std::string partial_path(const std::string& digest) const;
  bool contains(const std::string& digest) const;

  // The path of blob `digest`, fetched first unless cached. Under an exclusive per-digest
  // lock (other threads and processes wait): if the blob is cached, returns its path; else
  // calls fetch(partial_path), which writes the whole blob there (it may find a partial
  // file from an earlier, killed pull and resume it). Then checks the size (unless `size`
  // is negative) and, unless `check` is kByFetch, the sha256 of the partial, fsyncs it and
  // renames it into place.
  // Errors: kInvalidArgument (bad digest), kIntegrity "digest mismatch: expected X, got Y" or
  // "size mismatch ..." (the partial is deleted), whatever `fetch` returned (the partial
  // is kept for a resume), kinds from errno. Thread-safe.
  Result<std::string> ensure(const std::string& digest, int64_t size,
                             const std::function<Result<void>(const std::string&)>& fetch,
                             DigestCheck check = DigestCheck::kByCache);

  // The two halves of ensure(), for a caller that does more before publishing (the layer
  // unpack in layer_pull.h): waits for the lock of blob `digest` (other threads and
  // processes wait in turn). Errors: kInvalidArgument (bad digest), kinds from errno.
  // Thread-safe.
  Result<LockedBlob> lock(const std::string& digest);
  // Checks, makes durable and publishes `blob.partial` as ensure() does; returns the path.
  // Errors: as ensure() after its fetch. REQUIRES: `blob` from lock(), not cached.
  Result<std::string> publish(const LockedBlob& blob, int64_t size, DigestCheck check) const;

  // Deletes the blob and any partial of it; succeeds when absent. Thread-safe.
  Result<void> remove(const std::string& digest);
  // Digests of the cached blobs, sorted. Thread-safe.
  Result<std::vector<std::string>> list() const;

  // Test seam: see FaultPoint. Steps: "verify", "fsync", "rename", "sync-dir".
  // REQUIRES: called before the cache is shared between threads.
  void set_fault_point(FaultPoint fault) { fault_ = std::move(fault); }

 private:
  explicit BlobCache(std::string cache_dir) : cache_dir_(std::move(cache_dir)) {}
  Result<void> verify_and_publish(const std::string& digest, int64_t size,
                                  const std::string& partial, const std::string& final,
                                  DigestCheck check) const;

  std::string cache_dir_;
  FaultPoint fault_;
};

}  // namespace msb::image
