#include "store/image_records.h"

#include <algorithm>

#include "os/clock.h"

namespace msb::store {
namespace {

int64_t now_ns() { return static_cast<int64_t>(os::realtime_ns()); }

bool is_manifest_digest(std::string_view text) { return text.starts_with("sha256:"); }

// Runs a statement that returns no rows.
Result<void> run(Database& db, std::string_view sql, const std::vector<std::string>& texts) {
  Statement stmt = MSB_TRY(db.prepare(sql));
  for (size_t i = 0; i < texts.size(); ++i) {
    MSB_TRY(stmt.bind_text(static_cast<int>(i + 1), texts[i]));
  }
  MSB_TRY(stmt.step());
  return {};
}

// The first column of every row of `sql` bound to `texts`.
Result<std::vector<std::string>> column_strings(Database& db, std::string_view sql,
                                                const std::vector<std::string>& texts) {
  Statement stmt = MSB_TRY(db.prepare(sql));
  for (size_t i = 0; i < texts.size(); ++i) {
    MSB_TRY(stmt.bind_text(static_cast<int>(i + 1), texts[i]));
  }
  std::vector<std::string> values;
  while (MSB_TRY(stmt.step()) == Statement::Step::kRow) values.push_back(stmt.column_text(0));
  return values;
}

Result<void> insert_layers(Database& db, const NewImage& image) {
  Statement layer = MSB_TRY(
      db.prepare("INSERT INTO layer (digest, diff_id, media_type, size, unpacked_path) "
                 "VALUES (?1, ?2, ?3, ?4, NULLIF(?5, '')) ON CONFLICT (digest) DO NOTHING"));
  Statement position =
      MSB_TRY(db.prepare("INSERT INTO manifest_layer (manifest_digest, position, layer_digest) "
                         "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING"));
  for (size_t i = 0; i < image.layers.size(); ++i) {
    const LayerRecord& record = image.layers[i];
    layer.reset();
    MSB_TRY(layer.bind_text(1, record.digest));
    MSB_TRY(layer.bind_text(2, record.diff_id));
    MSB_TRY(layer.bind_text(3, record.media_type));
    MSB_TRY(layer.bind_int64(4, record.size));
    MSB_TRY(layer.bind_text(5, record.unpacked_path));
    MSB_TRY(layer.step());
    position.reset();
    MSB_TRY(position.bind_text(1, image.manifest_digest));
    MSB_TRY(position.bind_int64(2, static_cast<int64_t>(i)));
    MSB_TRY(position.bind_text(3, record.digest));
    MSB_TRY(position.step());
  }
  return {};
}

Result<void> insert_manifest(Database& db, const NewImage& image) {
  Statement manifest = MSB_TRY(
      db.prepare("INSERT INTO manifest (digest, media_type, size, json, config_digest, created_at) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (digest) DO NOTHING"));
  MSB_TRY(manifest.bind_text(1, image.manifest_digest));
  MSB_TRY(manifest.bind_text(2, image.media_type));
  MSB_TRY(manifest.bind_int64(3, image.size));
  MSB_TRY(manifest.bind_text(4, image.manifest_json));
  MSB_TRY(manifest.bind_text(5, image.config_digest));
  MSB_TRY(manifest.bind_int64(6, now_ns()));
  MSB_TRY(manifest.step());
  return {};
}

Result<std::vector<LayerRecord>> layers_of(Database& db, const std::string& manifest_digest) {
  Statement select = MSB_TRY(db.prepare(
      "SELECT l.digest, l.diff_id, l.media_type, l.size, l.unpacked_path FROM manifest_layer AS "
      "m JOIN layer AS l ON l.digest = m.layer_digest WHERE m.manifest_digest = ?1 "
      "ORDER BY m.position"));
  MSB_TRY(select.bind_text(1, manifest_digest));
  std::vector<LayerRecord> layers;
  while (MSB_TRY(select.step()) == Statement::Step::kRow) {
    layers.push_back(LayerRecord{select.column_text(0), select.column_text(1),
                                 select.column_text(2), select.column_int64(3),
                                 select.column_text(4)});
  }
  return layers;
}

// Reads the images selected by `where` (over manifest AS m, bound to `texts`).
Result<std::vector<ImageRecord>> select_images(Database& db, std::string_view where,
                                               const std::vector<std::string>& texts) {
  Statement select = MSB_TRY(db.prepare(
      fmt::format("SELECT m.digest, m.media_type, m.size, m.json, m.config_digest, c.json, "
                  "m.created_at FROM manifest AS m JOIN image_config AS c ON c.digest = "
                  "m.config_digest {} ORDER BY m.created_at DESC, m.digest",
                  where)));
  for (size_t i = 0; i < texts.size(); ++i) {
    MSB_TRY(select.bind_text(static_cast<int>(i + 1), texts[i]));
  }
  std::vector<ImageRecord> images;
  while (MSB_TRY(select.step()) == Statement::Step::kRow) {
    ImageRecord image;
    image.manifest_digest = select.column_text(0);
    image.media_type = select.column_text(1);
    image.size = select.column_int64(2);
    image.manifest_json = select.column_text(3);
    image.config_digest = select.column_text(4);
    image.config_json = select.column_text(5);
    image.created_at_ns = select.column_int64(6);
    images.push_back(std::move(image));
  }
  for (ImageRecord& image : images) {
    image.layers = MSB_TRY(layers_of(db, image.manifest_digest));
    image.references = MSB_TRY(column_strings(
        db, "SELECT reference FROM image_ref WHERE manifest_digest = ?1 ORDER BY reference",
        {image.manifest_digest}));
  }
  return images;
}

Result<std::optional<ImageRecord>> first_image(Result<std::vector<ImageRecord>> images) {
  std::vector<ImageRecord> found = MSB_TRY(std::move(images));
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

}  // namespace

Result<void> record_image(Database& db, const NewImage& image) {
  Transaction txn = MSB_TRY(Transaction::create(db));
  MSB_TRY(run(db,
              "INSERT INTO image_config (digest, json) VALUES (?1, ?2) "
              "ON CONFLICT (digest) DO NOTHING",
              {image.config_digest, image.config_json}));
  MSB_TRY(insert_manifest(db, image));
  MSB_TRY(insert_layers(db, image));
  Statement ref = MSB_TRY(
      db.prepare("INSERT INTO image_ref (reference, manifest_digest, updated_at) VALUES (?1, ?2, "
                 "?3) ON CONFLICT (reference) DO UPDATE SET manifest_digest = excluded."
                 "manifest_digest, updated_at = excluded.updated_at"));
  MSB_TRY(ref.bind_text(1, image.reference));
  MSB_TRY(ref.bind_text(2, image.manifest_digest));
  MSB_TRY(ref.bind_int64(3, now_ns()));
  MSB_TRY(ref.step());
  MSB_TRY(txn.commit());
  return {};
}

Result<std::optional<ImageRecord>> find_image_by_reference(Database& db,
                                                           std::string_view reference) {
  return first_image(select_images(
      db, "WHERE m.digest = (SELECT manifest_digest FROM image_ref WHERE reference = ?1)",
      {std::string(reference)}));
}

Result<std::optional<ImageRecord>> find_image_by_manifest(Database& db,
                                                          std::string_view manifest_digest) {
  return first_image(select_images(db, "WHERE m.digest = ?1", {std::string(manifest_digest)}));
}

Result<std::vector<ImageRecord>> list_images(Database& db) { return select_images(db, "", {}); }

Result<void> set_layer_unpacked(Database& db, std::string_view digest, std::string_view path) {
  MSB_TRY(run(db, "UPDATE layer SET unpacked_path = ?2 WHERE digest = ?1",
              {std::string(digest), std::string(path)}));
  if (db.changes() == 0) return err(ErrorKind::kNotFound, "store: no layer {}", digest);
  return {};
}

Result<void> pin_sandbox_rootfs(Database& db, int64_t sandbox_id, const RootfsPin& pin) {
  // INSERT ... SELECT inserts nothing when the sandbox or the manifest is missing.
  Statement insert = MSB_TRY(
      db.prepare("INSERT INTO sandbox_rootfs (sandbox_id, manifest_digest, mode, upper_fstype) "
                 "SELECT s.id, m.digest, ?3, nullif(?4, '') FROM sandbox AS s, manifest AS m "
                 "WHERE s.id = ?1 AND m.digest = ?2 ON CONFLICT (sandbox_id) DO UPDATE SET "
                 "manifest_digest = excluded.manifest_digest, mode = excluded.mode, "
                 "upper_fstype = excluded.upper_fstype"));
  MSB_TRY(insert.bind_int64(1, sandbox_id));
  MSB_TRY(insert.bind_text(2, pin.manifest_digest));
  MSB_TRY(insert.bind_text(3, pin.mode));
  MSB_TRY(insert.bind_text(4, pin.upper_fstype));
  MSB_TRY(insert.step());
  if (db.changes() == 0)
    return err(ErrorKind::kNotFound, "store: pin sandbox {} to {}: no such sandbox or manifest",
               sandbox_id, pin.manifest_digest);
  return {};
}

Result<std::optional<RootfsPin>> sandbox_rootfs_pin(Database& db, int64_t sandbox_id) {
  Statement select = MSB_TRY(db.prepare(
      "SELECT manifest_digest, mode, upper_fstype FROM sandbox_rootfs WHERE sandbox_id = ?1"));
  MSB_TRY(select.bind_int64(1, sandbox_id));
  if (MSB_TRY(select.step()) == Statement::Step::kDone) return std::nullopt;
  return RootfsPin{select.column_text(0), select.column_text(1),
                   select.column_is_null(2) ? std::string() : select.column_text(2)};
}

Result<std::optional<std::string>> sandbox_rootfs_manifest(Database& db, int64_t sandbox_id) {
  std::optional<RootfsPin> pin = MSB_TRY(sandbox_rootfs_pin(db, sandbox_id));
  if (!pin) return std::nullopt;
  return std::move(pin->manifest_digest);
}

Result<std::vector<std::string>> sandboxes_using_manifest(Database& db,
                                                          std::string_view manifest_digest) {
  return column_strings(db,
                        "SELECT s.name FROM sandbox_rootfs AS r JOIN sandbox AS s ON s.id = "
                        "r.sandbox_id WHERE r.manifest_digest = ?1 ORDER BY s.name",
                        {std::string(manifest_digest)});
}

Result<RemovedImage> remove_image(Database& db, std::string_view name_or_digest, bool force) {
  Transaction txn = MSB_TRY(Transaction::create(db));
  RemovedImage removed;
  std::string key(name_or_digest);
  if (is_manifest_digest(key)) {
    removed.manifest_digest = key;
    removed.references = MSB_TRY(column_strings(
        db, "SELECT reference FROM image_ref WHERE manifest_digest = ?1 ORDER BY reference",
        {key}));
    if (removed.references.empty() && !MSB_TRY(find_image_by_manifest(db, key))) {
      return err(ErrorKind::kImageNotFound, "no image {}", key);
    }
  } else {
    std::vector<std::string> manifest = MSB_TRY(
        column_strings(db, "SELECT manifest_digest FROM image_ref WHERE reference = ?1", {key}));
    if (manifest.empty()) return err(ErrorKind::kImageNotFound, "no image {}", key);
    removed.manifest_digest = manifest.front();
    removed.references = {key};
  }
  std::vector<std::string> users = MSB_TRY(sandboxes_using_manifest(db, removed.manifest_digest));
  if (!users.empty() && !force) {
    std::string names;
    for (const std::string& name : users) names += (names.empty() ? "" : ", ") + name;
    return err(ErrorKind::kImageInUse,
               "image {} is used by sandbox(es) {}; remove them first or force the removal", key,
               names);
  }
  std::vector<std::string> snapshots = MSB_TRY(
      column_strings(db, "SELECT name FROM snapshot WHERE manifest_digest = ?1 ORDER BY name",
                     {removed.manifest_digest}));
  if (!snapshots.empty() && !force) {
    std::string names;
    for (const std::string& name : snapshots) names += (names.empty() ? "" : ", ") + name;
    return err(ErrorKind::kImageInUse,
               "image {} is used by snapshot(s) {}; remove them first or force the removal", key,
               names);
  }
  for (const std::string& reference : removed.references) {
    MSB_TRY(run(db, "DELETE FROM image_ref WHERE reference = ?1", {reference}));
  }
  MSB_TRY(txn.commit());
  return removed;
}

Result<PrunedImages> prune_images(Database& db, PruneScope scope) {
  Transaction txn = MSB_TRY(Transaction::create(db));
  PrunedImages pruned;
  if (scope == PruneScope::kUnused) {
    MSB_TRY(run(db,
                "DELETE FROM image_ref WHERE manifest_digest NOT IN (SELECT manifest_digest "
                "FROM sandbox_rootfs) AND manifest_digest NOT IN (SELECT manifest_digest FROM "
                "snapshot)",
                {}));
  }
  pruned.manifests = MSB_TRY(column_strings(
      db,
      "DELETE FROM manifest WHERE digest NOT IN (SELECT manifest_digest FROM image_ref) AND "
      "digest NOT IN (SELECT manifest_digest FROM sandbox_rootfs) AND digest NOT IN (SELECT "
      "manifest_digest FROM snapshot) RETURNING digest",
      {}));
  pruned.configs = MSB_TRY(column_strings(
      db,
      "DELETE FROM image_config WHERE digest NOT IN (SELECT config_digest FROM manifest) "
      "RETURNING digest",
      {}));
  Statement layers = MSB_TRY(
      db.prepare("DELETE FROM layer WHERE digest NOT IN (SELECT layer_digest FROM manifest_layer) "
                 "RETURNING digest, diff_id, media_type, size, unpacked_path"));
  while (MSB_TRY(layers.step()) == Statement::Step::kRow) {
    pruned.layers.push_back(LayerRecord{layers.column_text(0), layers.column_text(1),
                                        layers.column_text(2), layers.column_int64(3),
                                        layers.column_text(4)});
  }
  // Two blobs (say gzip and zstd of one tar) share an unpacked layer: it goes only with
  // the last layer row naming its diff_id.
  for (const LayerRecord& layer : pruned.layers) {
    std::vector<std::string> sharing = MSB_TRY(
        column_strings(db, "SELECT digest FROM layer WHERE diff_id = ?1 LIMIT 1", {layer.diff_id}));
    bool listed = std::find(pruned.unused_diff_ids.begin(), pruned.unused_diff_ids.end(),
                            layer.diff_id) != pruned.unused_diff_ids.end();
    if (sharing.empty() && !listed) pruned.unused_diff_ids.push_back(layer.diff_id);
  }
  std::sort(pruned.unused_diff_ids.begin(), pruned.unused_diff_ids.end());
  std::sort(pruned.manifests.begin(), pruned.manifests.end());
  std::sort(pruned.configs.begin(), pruned.configs.end());
  MSB_TRY(txn.commit());
  return pruned;
}

}  // namespace msb::store
