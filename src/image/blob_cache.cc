#include "image/blob_cache.h"

#include <fcntl.h>

#include "image/digest.h"
#include "os/file.h"
#include "os/file_status.h"
#include "os/fs_calls.h"

namespace msb::image {

Result<BlobCache> BlobCache::open(const std::string& cache_dir) {
  for (const char* dir : {"/blobs/sha256", "/blobs/partial", "/locks"}) {
    MSB_TRY(os::make_dirs(cache_dir + dir).context("open blob cache"));
  }
  return BlobCache(cache_dir);
}

std::string BlobCache::path(const std::string& digest) const {
  if (!is_valid_digest(digest)) return "";
  return cache_dir_ + "/blobs/sha256/" + digest.substr(7);
}

std::string BlobCache::partial_path(const std::string& digest) const {
  if (!is_valid_digest(digest)) return "";
  return cache_dir_ + "/blobs/partial/" + digest.substr(7);
}

bool BlobCache::contains(const std::string& digest) const {
  std::string final = path(digest);
  return !final.empty() && os::is_regular_file(final);
}

Result<std::string> BlobCache::ensure(const std::string& digest, int64_t size,
                                      const std::function<Result<void>(const std::string&)>& fetch,
                                      DigestCheck check) {
  LockedBlob blob = MSB_TRY(lock(digest));
  if (blob.cached) return blob.path;
  MSB_TRY(fetch(blob.partial).context("fetch blob {}", digest));
  return publish(blob, size, check);
}

Result<BlobCache::LockedBlob> BlobCache::lock(const std::string& digest) {
  std::string hex = MSB_TRY(digest_hex(digest));
  os::FileLock lock = MSB_TRY(lock_entry(cache_dir_, "blob", hex));
  std::string final = path(digest);
  bool cached = os::is_regular_file(final);
  return LockedBlob{digest, std::move(final), partial_path(digest), cached, std::move(lock)};
}

Result<std::string> BlobCache::publish(const LockedBlob& blob, int64_t size,
                                       DigestCheck check) const {
  MSB_TRY(verify_and_publish(blob.digest, size, blob.partial, blob.path, check)
              .context("blob {}", blob.digest));
  return blob.path;
}

Result<void> BlobCache::verify_and_publish(const std::string& digest, int64_t size,
                                           const std::string& partial, const std::string& final,
                                           DigestCheck check) const {
  MSB_TRY(check_fault(fault_, "verify"));
  os::FileStatus status = MSB_TRY(os::lstat_path(partial));
  if (size >= 0 && status.size != static_cast<uint64_t>(size)) {
    (void)os::remove_file(partial);
    return err(ErrorKind::kIntegrity, "size mismatch: expected {} bytes, got {}", size,
               status.size);
  }
  std::string actual = check == DigestCheck::kByFetch ? digest : MSB_TRY(sha256_file(partial));
  if (actual != digest) {
    (void)os::remove_file(partial);
    return err(ErrorKind::kIntegrity, "digest mismatch: expected {}, got {}", digest, actual);
  }
  MSB_TRY(check_fault(fault_, "fsync"));
  os::Fd fd = MSB_TRY(os::open_file(partial, O_RDONLY));
  MSB_TRY(os::sync_fd(fd.get()));
  return image::publish(partial, final, fault_);
}

Result<void> BlobCache::remove(const std::string& digest) {
  std::string hex = MSB_TRY(digest_hex(digest));
  os::FileLock lock = MSB_TRY(lock_entry(cache_dir_, "blob", hex));
  MSB_TRY(os::remove_file(path(digest)));
  return os::remove_file(partial_path(digest));
}

Result<std::vector<std::string>> BlobCache::list() const {
  return list_digests(cache_dir_ + "/blobs/sha256");
}

}  // namespace msb::image
