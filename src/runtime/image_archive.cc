#include "runtime/image_archive.h"

#include <algorithm>

#include "common/paths.h"
#include "image/archive_reader.h"
#include "image/archive_writer.h"
#include "image/blob_cache.h"
#include "image/layer_store.h"
#include "runtime/image_service.h"

namespace msb::runtime {
namespace {

// The canonical references image `index` of the archive is recorded under.
Result<std::vector<std::string>> references_for(const image::ArchiveImage& image, size_t index,
                                                const std::string& path,
                                                const std::optional<std::string>& tag) {
  std::vector<std::string> references;
  if (tag) references.push_back(MSB_TRY(canonical_reference(*tag)));
  for (const std::string& name : tag ? std::vector<std::string>{} : image.names)
    references.push_back(MSB_TRY(canonical_reference(name).context("name in {}", path)));
  if (references.empty()) {
    std::string tags =
        image.bare_tags.empty() ? "" : " (only the tag '" + image.bare_tags[0] + "')";
    return err(ErrorKind::kInvalidArgument,
               "image {} ({}) in {} has no name{}; name it with -t NAME", index + 1,
               image.manifest.digest, path, tags);
  }
  return references;
}

// Unpacks the layers of `image` into the layer store.
Result<std::vector<store::LayerRecord>> unpack_layers(image::LayerStore& layers,
                                                      const image::ArchiveImage& image) {
  std::vector<store::LayerRecord> records;
  for (size_t i = 0; i < image.manifest.layers.size(); ++i) {
    const image::Descriptor& blob = image.manifest.layers[i];
    const std::string& diff_id = image.config.diff_ids[i];
    std::string unpacked =
        MSB_TRY(layers.ensure_unpacked(diff_id, image.layer_blobs[i], [](uint64_t) {}));
    records.push_back({blob.digest, diff_id, blob.media_type, blob.size, unpacked});
  }
  return records;
}

struct LoadedImage {
  std::vector<std::string> references;
  store::NewImage image;
};

Result<std::vector<LoadedImage>> unpack_all(const image::ArchiveContents& contents,
                                            const std::string& path,
                                            const std::optional<std::string>& tag) {
  if (tag && contents.images.size() != 1)
    return err(ErrorKind::kInvalidArgument, "-t names one image, but {} holds {}", path,
               contents.images.size());
  std::vector<LoadedImage> loaded;
  for (size_t i = 0; i < contents.images.size(); ++i) {
    const image::ArchiveImage& image = contents.images[i];
    loaded.push_back({MSB_TRY(references_for(image, i, path, tag)),
                      store::NewImage{.manifest_digest = image.manifest.digest,
                                      .media_type = image.manifest.media_type,
                                      .size = static_cast<int64_t>(image.manifest.raw.size()),
                                      .manifest_json = image.manifest.raw,
                                      .config_digest = image.manifest.config.digest,
                                      .config_json = image.config.raw}});
  }
  image::LayerStore layers = MSB_TRY(image::LayerStore::open(image_cache_dir()));
  for (size_t i = 0; i < loaded.size(); ++i)
    loaded[i].image.layers = MSB_TRY(unpack_layers(layers, contents.images[i]));
  return loaded;
}

Result<store::ImageRecord> find_image(store::Database& db, const std::string& reference) {
  std::optional<store::ImageRecord> image;
  if (reference.starts_with("sha256:")) {
    image = MSB_TRY(store::find_image_by_manifest(db, reference));
  } else {
    image = MSB_TRY(store::find_image_by_reference(db, MSB_TRY(canonical_reference(reference))));
  }
  if (!image) return err(ErrorKind::kImageNotFound, "no image {}", reference);
  return std::move(*image);
}

Result<image::ArchiveSource> archive_source(const image::BlobCache& blobs,
                                            const store::ImageRecord& image) {
  image::ArchiveSource source{.manifest_digest = image.manifest_digest,
                              .manifest_media_type = image.media_type,
                              .manifest_raw = image.manifest_json,
                              .config_digest = image.config_digest,
                              .config_raw = image.config_json};
  for (const store::LayerRecord& layer : image.layers) {
    if (!blobs.contains(layer.digest))
      return err(ErrorKind::kNotFound,
                 "blob {} of image {} is no longer in the cache; pull the image again",
                 layer.digest, image.manifest_digest);
    source.layers.push_back(
        {layer.digest, layer.diff_id, layer.media_type, layer.size, blobs.path(layer.digest)});
  }
  return source;
}

}  // namespace

Result<ImageArchiveFormat> parse_image_archive_format(std::string_view name) {
  if (name == "docker") return ImageArchiveFormat::kDocker;
  if (name == "oci") return ImageArchiveFormat::kOci;
  return err(ErrorKind::kInvalidArgument, "archive format must be docker or oci, got '{}'", name);
}

Result<std::vector<store::ImageRecord>> load_image_archive(store::Database& db,
                                                           const std::string& path,
                                                           const std::optional<std::string>& tag) {
  image::BlobCache blobs = MSB_TRY(image::BlobCache::open(image_cache_dir()));
  image::ArchiveContents contents =
      MSB_TRY(image::read_image_archive(path, blobs, image_cache_dir() + "/archive-staging"));
  Result<std::vector<LoadedImage>> loaded = unpack_all(contents, path, tag);
  if (!loaded) {
    for (const std::string& digest : contents.added_blobs) (void)blobs.remove(digest);
    return tl::unexpected(loaded.error());
  }
  std::vector<store::ImageRecord> records;
  for (LoadedImage& image : *loaded) {
    for (const std::string& reference : image.references) {
      image.image.reference = reference;
      MSB_TRY(store::record_image(db, image.image));
    }
    store::ImageRecord record = MSB_TRY(find_image(db, image.image.manifest_digest));
    record.references = image.references;
    records.push_back(std::move(record));
  }
  return records;
}

Result<void> save_image_archive(store::Database& db, const std::vector<std::string>& references,
                                const std::string& path, ImageArchiveFormat format) {
  image::BlobCache blobs = MSB_TRY(image::BlobCache::open(image_cache_dir()));
  std::vector<image::ArchiveSource> sources;
  for (const std::string& reference : references) {
    store::ImageRecord image = MSB_TRY(find_image(db, reference));
    // A digest saves the image under every name it has; a reference under that one.
    std::vector<std::string> names =
        reference.starts_with("sha256:")
            ? image.references
            : std::vector<std::string>{MSB_TRY(canonical_reference(reference))};
    auto same = std::find_if(sources.begin(), sources.end(), [&](const image::ArchiveSource& s) {
      return s.manifest_digest == image.manifest_digest;
    });
    if (same == sources.end()) {
      sources.push_back(MSB_TRY(archive_source(blobs, image)));
      same = sources.end() - 1;
    }
    for (const std::string& name : names) {
      if (std::find(same->names.begin(), same->names.end(), name) == same->names.end())
        same->names.push_back(name);
    }
  }
  image::ArchiveFormat written = format == ImageArchiveFormat::kDocker
                                     ? image::ArchiveFormat::kDocker
                                     : image::ArchiveFormat::kOci;
  return image::write_image_archive(path, written, sources);
}

}  // namespace msb::runtime
