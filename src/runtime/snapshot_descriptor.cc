#include "runtime/snapshot_descriptor.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "config/validate.h"
#include "image/sparse_digest.h"

namespace msb::runtime {
namespace {

using Json = nlohmann::json;

bool is_hex64(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool has_hex_digest(std::string_view text, std::string_view prefix) {
  return text.starts_with(prefix) && is_hex64(text.substr(prefix.size()));
}

tl::unexpected<Error> bad(std::string_view what) {
  return err(ErrorKind::kInvalidArgument, "snapshot.json: {}", what);
}

// The field `key` of `object` as type T, or an error naming it.
template <class T>
Result<T> field(const Json& object, const char* key) {
  auto found = object.find(key);
  if (found == object.end()) return bad(fmt::format("'{}' is missing", key));
  try {
    return found->get<T>();
  } catch (const Json::exception&) {
    return bad(fmt::format("'{}' has the wrong type", key));
  }
}

}  // namespace

std::string snapshot_descriptor_json(const store::SnapshotRecord& record) {
  Json json = {
      {"schema", kSnapshotSchema},
      {"name", record.name},
      {"engine", record.engine},
      {"source_sandbox", record.source_sandbox},
      {"created_at_ns", record.created_at_ns},
      {"image",
       {{"reference", record.image_reference}, {"manifest_digest", record.manifest_digest}}},
      {"artifact",
       {{"file", record.artifact},
        {"size_bytes", record.size_bytes},
        {"digest", record.content_digest}}},
  };
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<store::SnapshotRecord> parse_snapshot_descriptor(std::string_view text) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return bad("not a JSON object");
  int schema = MSB_TRY(field<int>(json, "schema"));
  if (schema != kSnapshotSchema)
    return bad(
        fmt::format("schema {} is not supported (this msb reads {})", schema, kSnapshotSchema));
  store::SnapshotRecord record;
  record.name = MSB_TRY(field<std::string>(json, "name"));
  if (Result<void> valid = validate_snapshot_name(record.name); !valid)
    return bad(valid.error().message);
  record.engine = MSB_TRY(field<std::string>(json, "engine"));
  record.source_sandbox = MSB_TRY(field<std::string>(json, "source_sandbox"));
  record.created_at_ns = MSB_TRY(field<int64_t>(json, "created_at_ns"));
  Json image = MSB_TRY(field<Json>(json, "image"));
  Json artifact = MSB_TRY(field<Json>(json, "artifact"));
  if (!image.is_object() || !artifact.is_object()) return bad("'image' and 'artifact' are objects");
  record.image_reference = MSB_TRY(field<std::string>(image, "reference"));
  record.manifest_digest = MSB_TRY(field<std::string>(image, "manifest_digest"));
  record.artifact = MSB_TRY(field<std::string>(artifact, "file"));
  record.size_bytes = MSB_TRY(field<uint64_t>(artifact, "size_bytes"));
  record.content_digest = MSB_TRY(field<std::string>(artifact, "digest"));
  bool vm = record.engine == "vm" && record.artifact == "upper.ext4";
  bool ns = record.engine == "namespace" && record.artifact == "upper.tar";
  if (!vm && !ns)
    return bad(
        fmt::format("engine '{}' with artifact '{}' (expected vm with upper.ext4 or "
                    "namespace with upper.tar)",
                    record.engine, record.artifact));
  if (record.image_reference.empty()) return bad("the image reference is empty");
  if (!record.manifest_digest.empty() && !has_hex_digest(record.manifest_digest, "sha256:"))
    return bad(fmt::format("manifest digest '{}' is not sha256:<64 hex>", record.manifest_digest));
  std::string prefix = std::string(image::kSparseDigestAlgorithm) + ":";
  if (!has_hex_digest(record.content_digest, prefix))
    return bad(fmt::format("digest '{}' is not {}<64 hex>", record.content_digest, prefix));
  return record;
}

Result<void> validate_snapshot_name(std::string_view name) {
  return config::validate_name_of("snapshot", name);
}

}  // namespace msb::runtime
