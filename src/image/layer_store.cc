#include "image/layer_store.h"

#include <fcntl.h>

#include "image/digest.h"
#include "image/layer_unpack.h"
#include "os/disk_usage.h"
#include "os/file.h"
#include "os/fs_calls.h"

namespace msb::image {

Result<LayerStore> LayerStore::open(const std::string& cache_dir) {
  for (const char* dir : {"/layers/sha256", "/layers/tmp", "/locks"}) {
    MSB_TRY(os::make_dirs(cache_dir + dir).context("open layer store"));
  }
  return LayerStore(cache_dir);
}

std::string LayerStore::path(const std::string& diff_id) const {
  if (!is_valid_digest(diff_id)) return "";
  return cache_dir_ + "/layers/sha256/" + diff_id.substr(7);
}

bool LayerStore::contains(const std::string& diff_id) const {
  std::string final = path(diff_id);
  return !final.empty() && os::is_directory(final);
}

Result<std::string> LayerStore::ensure_unpacked(const std::string& diff_id,
                                                const std::string& blob_path,
                                                const std::function<void(uint64_t)>& progress) {
  return ensure_unpacked(diff_id, LayerSource{.open = [&]() -> Result<std::unique_ptr<ByteSource>> {
                           return FileSource::open(blob_path, progress);
                         }});
}

Result<std::string> LayerStore::ensure_unpacked(const std::string& diff_id,
                                                const LayerSource& source) {
  std::string hex = MSB_TRY(digest_hex(diff_id));
  os::FileLock lock = MSB_TRY(lock_entry(cache_dir_, "layer", hex));
  std::string final = path(diff_id);
  if (os::is_directory(final)) return final;
  MSB_TRY(remove_leftovers(hex));
  MSB_TRY(unpack_and_publish(diff_id, hex, source));
  return final;
}

// Temporary directories are named "<hex>-XXXXXX": those of this layer are ours to clean
// while we hold its lock.
Result<void> LayerStore::remove_leftovers(const std::string& hex) const {
  for (const std::string& name : os::list_dir(temp_root())) {
    if (name.starts_with(hex + "-")) MSB_TRY(os::remove_tree(temp_root() + "/" + name));
  }
  return {};
}

Result<void> LayerStore::unpack_and_publish(const std::string& diff_id, const std::string& hex,
                                            const LayerSource& source) const {
  os::TempDir temp = MSB_TRY(os::TempDir::create(hex + "-", temp_root()));
  // mkdtemp makes 0700; a layer root is 0755 unless its tar says otherwise ("./" entry).
  MSB_TRY(os::chmod_at(AT_FDCWD, temp.path(), 0755));
  std::unique_ptr<ByteSource> blob = MSB_TRY(source.open());
  MSB_TRY(unpack_layer(std::move(blob), temp.path(), diff_id));
  MSB_TRY(check_fault(fault_, "unpacked"));
  if (source.before_publish) MSB_TRY(source.before_publish());
  // One syncfs instead of an fsync per file: the tree is on disk before it is published.
  MSB_TRY(check_fault(fault_, "sync"));
  os::Fd dir = MSB_TRY(os::open_file(temp.path(), O_RDONLY | O_DIRECTORY));
  MSB_TRY(os::sync_filesystem(dir.get()));
  MSB_TRY(publish(temp.path(), path(diff_id), fault_));
  (void)temp.release();  // renamed: nothing left to remove
  return {};
}

Result<void> LayerStore::remove(const std::string& diff_id) {
  std::string hex = MSB_TRY(digest_hex(diff_id));
  os::FileLock lock = MSB_TRY(lock_entry(cache_dir_, "layer", hex));
  if (!os::path_exists(path(diff_id))) return {};
  // Renamed away first, so that a crash midway never leaves a half layer under sha256/.
  os::TempDir trash = MSB_TRY(os::TempDir::create(hex + "-", temp_root()));
  MSB_TRY(os::rename_at(AT_FDCWD, path(diff_id), AT_FDCWD, trash.path() + "/layer"));
  return os::remove_tree(trash.release());
}

Result<std::vector<std::string>> LayerStore::list() const {
  return list_digests(cache_dir_ + "/layers/sha256");
}

Result<uint64_t> LayerStore::disk_usage(const std::string& diff_id) const {
  MSB_TRY(digest_hex(diff_id));
  return os::disk_usage(path(diff_id));
}

Result<uint64_t> LayerStore::total_disk_usage() const {
  return os::disk_usage(cache_dir_ + "/layers/sha256");
}

}  // namespace msb::image
