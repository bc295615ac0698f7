#include "image/archive_reader.h"

#include <algorithm>

#include "image/archive_plan.h"
#include "os/file.h"

namespace msb::image {
namespace {

// Stores blobs in the cache and, unless commit() is called, removes again the ones it
// added, so that a failed load leaves the cache as it found it.
class BlobAdder {
 public:
  explicit BlobAdder(BlobCache& blobs) : blobs_(blobs) {}
  BlobAdder(const BlobAdder&) = delete;
  BlobAdder& operator=(const BlobAdder&) = delete;
  ~BlobAdder() {
    if (committed_) return;
    for (const std::string& digest : added_) (void)blobs_.remove(digest);
  }

  Result<std::string> add(const std::string& digest, int64_t size,
                          const std::function<Result<void>(const std::string&)>& fetch) {
    bool present = blobs_.contains(digest);
    std::string path = MSB_TRY(blobs_.ensure(digest, size, fetch));
    if (!present) added_.push_back(digest);
    return path;
  }

  std::vector<std::string> commit() {
    committed_ = true;
    return std::move(added_);
  }

 private:
  BlobCache& blobs_;
  std::vector<std::string> added_;
  bool committed_ = false;
};

Result<ArchiveTree> open_tree(const std::string& path, const std::string& staging_dir) {
  if (os::is_directory(path)) return ArchiveTree::open_directory(path);
  return ArchiveTree::extract(path, staging_dir);
}

Result<std::vector<PlannedImage>> plan_images(const ArchiveTree& tree) {
  if (tree.contains("oci-layout") && tree.contains("index.json")) return plan_oci_layout(tree);
  if (tree.contains("manifest.json")) return plan_docker_archive(tree);
  return err(ErrorKind::kInvalidArgument,
             "{} is neither a docker save archive (no manifest.json) nor an OCI image layout "
             "(no oci-layout and index.json)",
             tree.source());
}

Result<void> store_blobs(const ArchiveTree& tree, PlannedImage& planned, BlobAdder& adder) {
  const Manifest& manifest = planned.image.manifest;
  const std::string& config = planned.image.config.raw;
  MSB_TRY(adder.add(manifest.config.digest, manifest.config.size,
                    [&](const std::string& partial) { return os::write_file(partial, config); }));
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    const Descriptor& layer = manifest.layers[i];
    std::string path = MSB_TRY(adder.add(layer.digest, layer.size, [&](const std::string& partial) {
      return tree.take(planned.layer_files[i], partial);
    }));
    planned.image.layer_blobs.push_back(std::move(path));
  }
  return {};
}

}  // namespace

void add_image_name(ArchiveImage& image, const std::string& name) {
  bool full = name.find_first_of("/:@") != std::string::npos;
  std::vector<std::string>& list = full ? image.names : image.bare_tags;
  if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
}

std::vector<PlannedImage> merge_same_manifests(std::vector<PlannedImage> images) {
  std::vector<PlannedImage> merged;
  for (PlannedImage& planned : images) {
    auto same = std::find_if(merged.begin(), merged.end(), [&](const PlannedImage& kept) {
      return kept.image.manifest.digest == planned.image.manifest.digest;
    });
    if (same == merged.end()) {
      merged.push_back(std::move(planned));
      continue;
    }
    for (const std::string& name : planned.image.names) add_image_name(same->image, name);
    for (const std::string& tag : planned.image.bare_tags) add_image_name(same->image, tag);
  }
  return merged;
}

Result<void> check_layer_files(const ArchiveTree& tree, const PlannedImage& planned) {
  const std::vector<Descriptor>& layers = planned.image.manifest.layers;
  for (size_t i = 0; i < layers.size(); ++i) {
    uint64_t size = MSB_TRY(tree.size(planned.layer_files[i]).context("layer {}", i));
    if (size != static_cast<uint64_t>(layers[i].size))
      return err(ErrorKind::kIntegrity, "layer {} ({}) is {} bytes, the manifest says {}", i,
                 planned.layer_files[i], size, layers[i].size);
  }
  return {};
}

Result<ImageConfig> parse_checked_config(std::string_view raw, const Manifest& manifest) {
  ImageConfig config = MSB_TRY(parse_image_config(raw));
  if (config.diff_ids.size() != manifest.layers.size())
    return err(ErrorKind::kIntegrity, "image config lists {} layers, the manifest {}",
               config.diff_ids.size(), manifest.layers.size());
  return config;
}

Result<ArchiveContents> read_image_archive(const std::string& path, BlobCache& blobs,
                                           const std::string& staging_dir) {
  ArchiveTree tree = MSB_TRY(open_tree(path, staging_dir));
  std::vector<PlannedImage> planned =
      merge_same_manifests(MSB_TRY(plan_images(tree).context("archive {}", path)));
  if (planned.empty()) return err(ErrorKind::kInvalidArgument, "archive {} holds no image", path);
  BlobAdder adder(blobs);
  ArchiveContents contents;
  for (PlannedImage& image : planned) {
    MSB_TRY(store_blobs(tree, image, adder).context("archive {}", path));
    contents.images.push_back(std::move(image.image));
  }
  contents.added_blobs = adder.commit();
  return contents;
}

}  // namespace msb::image
