#include "sdk/images.h"

#include "common/paths.h"
#include "store/database.h"

namespace msb::sdk {
namespace {

Result<store::Database> open_store() { return store::Database::open(msb_db_path()); }

// A manifest digest stays as it is; anything else is a reference made canonical.
Result<std::string> lookup_key(std::string_view reference_or_digest) {
  if (reference_or_digest.starts_with("sha256:")) return std::string(reference_or_digest);
  return runtime::canonical_reference(reference_or_digest);
}

Result<store::PrunedImages> prune(store::Database& db, store::PruneScope scope) {
  store::PrunedImages pruned = MSB_TRY(store::prune_images(db, scope));
  MSB_TRY(runtime::remove_cached(pruned));
  return pruned;
}

}  // namespace

Result<store::ImageRecord> pull_image(std::string_view reference,
                                      const runtime::PullOptions& options) {
  store::Database db = MSB_TRY(open_store());
  runtime::PullOptions always = options;
  always.policy = config::PullPolicy::kAlways;
  return runtime::ensure_image(db, reference, always);
}

Result<std::vector<store::ImageRecord>> list_images() {
  store::Database db = MSB_TRY(open_store());
  return store::list_images(db);
}

Result<store::ImageRecord> inspect_image(std::string_view reference_or_digest) {
  std::string key = MSB_TRY(lookup_key(reference_or_digest));
  store::Database db = MSB_TRY(open_store());
  std::optional<store::ImageRecord> image = key.starts_with("sha256:")
                                                ? MSB_TRY(store::find_image_by_manifest(db, key))
                                                : MSB_TRY(store::find_image_by_reference(db, key));
  if (!image) return err(ErrorKind::kImageNotFound, "no image {}", key);
  return std::move(*image);
}

Result<store::RemovedImage> remove_image(std::string_view reference_or_digest, bool force) {
  std::string key = MSB_TRY(lookup_key(reference_or_digest));
  store::Database db = MSB_TRY(open_store());
  store::RemovedImage removed = MSB_TRY(store::remove_image(db, key, force));
  MSB_TRY(prune(db, store::PruneScope::kUnreferenced));
  return removed;
}

Result<store::PrunedImages> prune_images() {
  store::Database db = MSB_TRY(open_store());
  return prune(db, store::PruneScope::kUnused);
}

}  // namespace msb::sdk
