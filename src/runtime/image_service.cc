#include "runtime/image_service.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "common/paths.h"
#include "image/blob_cache.h"
#include "image/credentials.h"
#include "image/digest.h"
#include "image/layer_pull.h"
#include "image/layer_store.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "image/registry_client.h"
#include "os/file.h"
#include "os/file_status.h"

namespace msb::runtime {
namespace {

// Parallel layer downloads: enough to hide per-request latency, few enough not to thrash
// two cores with decompression.
constexpr size_t kParallelLayers = 4;

// As Docker does, registries on the loopback interface may speak plain HTTP: they cannot be
// impersonated from off the machine.
bool is_loopback_registry(std::string_view registry) {
  std::string_view host = registry.substr(0, registry.rfind(':'));
  if (registry.starts_with("[")) host = registry.substr(0, registry.find(']') + 1);
  return host == "localhost" || host.starts_with("127.") || host == "[::1]";
}

// Serializes progress events from the layer threads.
class EventSink {
 public:
  explicit EventSink(const std::function<void(const PullEvent&)>& callback) : callback_(callback) {}
  void emit(const PullEvent& event) {
    if (!callback_) return;
    std::lock_guard lock(mutex_);
    callback_(event);
  }

 private:
  const std::function<void(const PullEvent&)>& callback_;
  std::mutex mutex_;
};

// Runs job(0..count-1) on up to `threads` threads; the first error wins and stops the rest
// from starting new items.
Result<void> parallel_for(size_t count, size_t threads,
                          const std::function<Result<void>(size_t)>& job) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::optional<Error> first_error;
  auto worker = [&] {
    for (size_t i = next++; i < count && !failed; i = next++) {
      Result<void> done = job(i);
      if (!done) {
        std::lock_guard lock(mutex);
        if (!first_error) first_error = done.error();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < std::min(threads, count); ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& thread : pool) thread.join();
  if (first_error) return tl::unexpected(*first_error);
  return {};
}

// Layer indexes, largest blob first: the longest unpack starts at once instead of waiting
// behind small layers for a free thread.
std::vector<size_t> largest_first(const std::vector<image::Descriptor>& layers) {
  std::vector<size_t> order(layers.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return layers[a].size > layers[b].size; });
  return order;
}

// Every layer is unpacked and still on disk.
bool fully_cached(const store::ImageRecord& image) {
  return std::all_of(image.layers.begin(), image.layers.end(), [](const store::LayerRecord& l) {
    return !l.unpacked_path.empty() && os::is_directory(l.unpacked_path);
  });
}

Result<std::optional<store::ImageRecord>> find_stored(store::Database& db,
                                                      const image::Reference& ref,
                                                      const std::string& reference) {
  std::optional<store::ImageRecord> stored = MSB_TRY(store::find_image_by_reference(db, reference));
  if (!stored && !ref.digest.empty())
    stored = MSB_TRY(store::find_image_by_manifest(db, ref.digest));
  return stored;
}

struct Pull {
  store::Database& db;
  const image::Reference& ref;
  const std::string& reference;
  const PullOptions& options;
  EventSink events;
  std::unique_ptr<image::RegistryClient> client;
  std::optional<image::BlobCache> blobs;
  std::optional<image::LayerStore> layers;

  // A small blob (the config) into the cache; layers go through image::pull_layer.
  Result<std::string> fetch_to_cache(const image::Descriptor& blob) {
    return blobs->ensure(
        blob.digest, blob.size,
        [&](const std::string& partial) { return client->fetch_blob(blob, partial, nullptr); },
        image::DigestCheck::kByFetch);
  }

  // Downloads and unpacks layer `i` of `manifest`, whose uncompressed digest is `diff_id`.
  Result<store::LayerRecord> layer(const image::Manifest& manifest, size_t i,
                                   const std::string& diff_id) {
    const image::Descriptor& blob = manifest.layers[i];
    PullEvent event{.reference = reference, .layer = i, .layer_count = manifest.layers.size()};
    // An unpacked layer needs no blob (another image, or a pull whose blob was pruned).
    if (layers->contains(diff_id)) {
      event.kind = PullEvent::Kind::kLayerCached;
      events.emit(event);
      event.kind = PullEvent::Kind::kLayerDone;
      events.emit(event);
      return store::LayerRecord{blob.digest, diff_id, blob.media_type, blob.size,
                                layers->path(diff_id)};
    }
    if (blobs->contains(blob.digest)) {
      event.kind = PullEvent::Kind::kLayerCached;
      events.emit(event);
    }
    // The unpack follows the download (image/layer_pull.h): extracting starts at once.
    event.kind = PullEvent::Kind::kExtracting;
    events.emit(event);
    auto fetch = [&](const std::string& partial, const std::function<void(uint64_t)>& progress) {
      return client->fetch_blob(blob, partial, progress);
    };
    std::string unpacked =
        MSB_TRY(image::pull_layer(*blobs, *layers, blob, diff_id, fetch, [&](uint64_t bytes) {
          PullEvent progress = event;
          progress.kind = PullEvent::Kind::kLayerBytes;
          progress.bytes = bytes;
          progress.total_bytes = static_cast<uint64_t>(blob.size);
          events.emit(progress);
        }));
    event.kind = PullEvent::Kind::kLayerDone;
    events.emit(event);
    return store::LayerRecord{blob.digest, diff_id, blob.media_type, blob.size, unpacked};
  }

  Result<store::ImageRecord> run() {
    events.emit(PullEvent{.kind = PullEvent::Kind::kResolving, .reference = reference});
    image::RegistryOptions registry;
    registry.insecure = options.insecure || is_loopback_registry(ref.registry);
    registry.credentials = MSB_TRY(image::find_credentials(ref.registry, msb_home()));
    client = MSB_TRY(image::RegistryClient::create(ref, registry));
    image::Manifest manifest = MSB_TRY(client->resolve(ref, image::host_platform()));
    blobs.emplace(MSB_TRY(image::BlobCache::open(image_cache_dir())));
    layers.emplace(MSB_TRY(image::LayerStore::open(image_cache_dir())));

    std::string config_path = MSB_TRY(fetch_to_cache(manifest.config));
    std::string config_json = MSB_TRY(os::read_file(config_path));
    image::ImageConfig config = MSB_TRY(image::parse_image_config(config_json));
    if (config.diff_ids.size() != manifest.layers.size())
      return err(ErrorKind::kIntegrity, "image config lists {} layers, the manifest {}",
                 config.diff_ids.size(), manifest.layers.size());
    uint64_t total = 0;
    for (const image::Descriptor& blob : manifest.layers) total += static_cast<uint64_t>(blob.size);
    events.emit(PullEvent{.kind = PullEvent::Kind::kResolved,
                          .reference = reference,
                          .manifest_digest = manifest.digest,
                          .layer_count = manifest.layers.size(),
                          .total_bytes = total});

    std::vector<store::LayerRecord> records(manifest.layers.size());
    std::vector<size_t> order = largest_first(manifest.layers);
    MSB_TRY(parallel_for(records.size(), kParallelLayers, [&](size_t n) -> Result<void> {
      size_t i = order[n];
      records[i] = MSB_TRY(layer(manifest, i, config.diff_ids[i]));
      return {};
    }));
    MSB_TRY(
        store::record_image(db, store::NewImage{.reference = reference,
                                                .manifest_digest = manifest.digest,
                                                .media_type = manifest.media_type,
                                                .size = static_cast<int64_t>(manifest.raw.size()),
                                                .manifest_json = manifest.raw,
                                                .config_digest = manifest.config.digest,
                                                .config_json = config_json,
                                                .layers = records}));
    events.emit(PullEvent{.kind = PullEvent::Kind::kComplete,
                          .reference = reference,
                          .manifest_digest = manifest.digest});
    std::optional<store::ImageRecord> stored =
        MSB_TRY(store::find_image_by_manifest(db, manifest.digest));
    MSB_CHECK(stored.has_value());
    stored->references = {reference};
    return std::move(*stored);
  }
};

// A pull served from the store still tells its progress display where it stands: the
// reference resolved (to the stored manifest) and the pull complete.
void report_cached(const PullOptions& options, const std::string& reference,
                   const store::ImageRecord& image) {
  if (!options.on_event) return;
  uint64_t total = 0;
  for (const store::LayerRecord& layer : image.layers) total += static_cast<uint64_t>(layer.size);
  options.on_event(PullEvent{.kind = PullEvent::Kind::kResolving, .reference = reference});
  options.on_event(PullEvent{.kind = PullEvent::Kind::kResolved,
                             .reference = reference,
                             .manifest_digest = image.manifest_digest,
                             .layer_count = image.layers.size(),
                             .total_bytes = total});
  options.on_event(PullEvent{.kind = PullEvent::Kind::kComplete,
                             .reference = reference,
                             .manifest_digest = image.manifest_digest});
}

}  // namespace

Result<std::string> canonical_reference(std::string_view image) {
  return MSB_TRY(image::parse_reference(image)).str();
}

Result<store::ImageRecord> ensure_image(store::Database& db, std::string_view image,
                                        const PullOptions& options) {
  image::Reference ref = MSB_TRY(image::parse_reference(image));
  std::string reference = ref.str();
  if (options.policy != config::PullPolicy::kAlways) {
    std::optional<store::ImageRecord> stored = MSB_TRY(find_stored(db, ref, reference));
    if (stored && fully_cached(*stored)) {
      report_cached(options, reference, *stored);
      return std::move(*stored);
    }
    if (options.policy == config::PullPolicy::kNever)
      return err(ErrorKind::kImageNotFound,
                 "image {} is not in the local store and the pull policy is 'never'; pull it "
                 "with: msb pull {}",
                 reference, image);
  }
  Pull pull{db, ref, reference, options, EventSink(options.on_event), nullptr, {}, {}};
  return std::move(pull.run()).context("pull {}", reference);
}

Result<void> remove_cached(const store::PrunedImages& pruned) {
  image::BlobCache blobs = MSB_TRY(image::BlobCache::open(image_cache_dir()));
  image::LayerStore layers = MSB_TRY(image::LayerStore::open(image_cache_dir()));
  for (const std::string& digest : pruned.manifests) {
    std::string disk =
        image_cache_dir() + "/rootfs/" + MSB_TRY(image::digest_hex(digest)) + ".erofs";
    if (os::path_exists(disk)) MSB_TRY(os::remove_file(disk));
  }
  for (const std::string& digest : pruned.configs) MSB_TRY(blobs.remove(digest));
  for (const store::LayerRecord& layer : pruned.layers) MSB_TRY(blobs.remove(layer.digest));
  for (const std::string& diff_id : pruned.unused_diff_ids) MSB_TRY(layers.remove(diff_id));
  return {};
}

}  // namespace msb::runtime
