#include "runtime/snapshot_archive.h"

#include <algorithm>
#include <set>
#include <vector>

#include "image/file_bundle.h"
#include "image/sparse_digest.h"
#include "os/file.h"
#include "runtime/image_archive.h"
#include "runtime/snapshot_descriptor.h"
#include "runtime/snapshots.h"
#include "store/image_records.h"

namespace msb::runtime {
namespace {

constexpr const char* kDescriptorEntry = "snapshot.json";
constexpr const char* kImageEntry = "image.tar";
// Bounds for untrusted archives: a descriptor is a few hundred bytes; a layer or an image
// larger than 2 TiB is not one we made.
constexpr uint64_t kMaxEntryBytes = 2ULL << 40;

}  // namespace

Result<void> save_snapshot_archive(store::Database& db, std::string_view msb_home,
                                   std::string_view name, const std::string& out, bool with_image) {
  Result<void> saved = [&]() -> Result<void> {
    store::SnapshotRecord snapshot = MSB_TRY(store::get_snapshot(db, name));
    SnapshotCheck check = MSB_TRY(verify_snapshot(snapshot));
    if (!check.ok())
      return err(ErrorKind::kIntegrity, "its layer's digest is {}, recorded {}", check.actual,
                 check.expected);
    std::vector<image::BundleFile> files = {
        {kDescriptorEntry, snapshot.path + "/" + kDescriptorEntry},
        {snapshot.artifact, snapshot.path + "/" + snapshot.artifact},
    };
    std::string image_tar;
    if (with_image && !snapshot.manifest_digest.empty()) {
      MSB_TRY(snapshot_image(db, snapshot));
      image_tar = make_snapshot_staging(msb_home, snapshot.name).value_or("");
      if (image_tar.empty()) return err(ErrorKind::kIo, "cannot make a staging directory");
      image_tar += "/" + std::string(kImageEntry);
      Result<void> written =
          save_image_archive(db, {snapshot.manifest_digest}, image_tar, ImageArchiveFormat::kOci);
      if (written) files.push_back({kImageEntry, image_tar});
      if (written) written = image::write_file_bundle(out, files);
      (void)os::remove_tree(image_tar.substr(0, image_tar.rfind('/')));
      return written;
    }
    return image::write_file_bundle(out, files);
  }();
  return std::move(saved).context("save snapshot '{}' to {}", name, out);
}

namespace {

// Loads the image of `snapshot` from `image_tar` unless the store has it already.
Result<void> load_snapshot_image(store::Database& db, const store::SnapshotRecord& snapshot,
                                 const std::string& image_tar) {
  if (snapshot.manifest_digest.empty()) return {};
  if (MSB_TRY(store::find_image_by_manifest(db, snapshot.manifest_digest))) return {};
  if (!os::path_exists(image_tar)) return {};  // restore says what is missing
  std::optional<store::ImageRecord> named =
      MSB_TRY(store::find_image_by_reference(db, snapshot.image_reference));
  if (named && named->manifest_digest != snapshot.manifest_digest)
    return err(ErrorKind::kAlreadyExists,
               "image {} here is {}, not the snapshot's {}; remove or retag it first",
               snapshot.image_reference, named->manifest_digest, snapshot.manifest_digest);
  std::vector<store::ImageRecord> loaded =
      MSB_TRY(load_image_archive(db, image_tar, snapshot.image_reference));
  if (loaded.size() != 1 || loaded.front().manifest_digest != snapshot.manifest_digest)
    return err(ErrorKind::kIntegrity, "the archive's image is not the snapshot's {}",
               snapshot.manifest_digest);
  return {};
}

}  // namespace

Result<store::SnapshotRecord> load_snapshot_archive(store::Database& db, std::string_view msb_home,
                                                    const std::string& archive) {
  // The name is in the archive: stage under a name no snapshot has until it is known.
  std::string staging = MSB_TRY(make_snapshot_staging(msb_home, "load"));
  Result<store::SnapshotRecord> loaded = [&]() -> Result<store::SnapshotRecord> {
    std::set<std::string> allowed = {kDescriptorEntry, "upper.ext4", "upper.tar", kImageEntry};
    std::vector<std::string> names =
        MSB_TRY(image::extract_file_bundle(archive, staging, allowed, kMaxEntryBytes));
    if (std::find(names.begin(), names.end(), kDescriptorEntry) == names.end())
      return err(ErrorKind::kInvalidArgument, "not a snapshot archive: no {}", kDescriptorEntry);
    store::SnapshotRecord snapshot = MSB_TRY(
        parse_snapshot_descriptor(MSB_TRY(os::read_file(staging + "/" + kDescriptorEntry))));
    for (const std::string& entry : names)
      if (entry != kDescriptorEntry && entry != kImageEntry && entry != snapshot.artifact)
        return err(ErrorKind::kInvalidArgument, "entry '{}' does not belong to a {} snapshot",
                   entry, snapshot.engine);
    std::string artifact = staging + "/" + snapshot.artifact;
    if (!os::path_exists(artifact))
      return err(ErrorKind::kInvalidArgument, "the archive has no {}", snapshot.artifact);
    std::string digest = MSB_TRY(image::sparse_content_digest(artifact));
    if (digest != snapshot.content_digest)
      return err(ErrorKind::kIntegrity, "{} has digest {}, its descriptor says {}",
                 snapshot.artifact, digest, snapshot.content_digest);
    if (MSB_TRY(store::find_snapshot(db, snapshot.name)))
      return err(ErrorKind::kAlreadyExists, "snapshot '{}' already exists", snapshot.name);
    MSB_TRY(load_snapshot_image(db, snapshot, staging + "/" + kImageEntry));
    (void)os::remove_file(staging + "/" + kImageEntry);
    return publish_snapshot(db, msb_home, staging, std::move(snapshot));
  }();
  if (!loaded) (void)os::remove_tree(staging);
  return std::move(loaded).context("load snapshot archive {}", archive);
}

}  // namespace msb::runtime
