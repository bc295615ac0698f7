// NsEngine: sandboxes as Linux namespaces on the host kernel (weaker isolation than the vm
// engine; see docs/design/namespace-engine.md). Its files: the built-in base image as a
// directory tree, msb-agentd (static) in the guest kit, and per-sandbox writable layers.
#include "engine/ns/engine.h"

#include <fcntl.h>

#include <algorithm>

#include "engine/guest_kit.h"
#include "engine/id_map.h"
#include "engine/ns/base_tree.h"
#include "image/tree_archive.h"
#include "os/file.h"
#include "os/fs_calls.h"

namespace msb::engine::ns {

std::string NsEngine::upper_dir(const std::string& layer) { return layer + "/diff"; }
std::string NsEngine::work_dir(const std::string& layer) { return layer + "/work"; }

Result<std::string> NsEngine::base_image_root() const { return base_tree_root(kit_dir()); }

std::string NsEngine::writable_layer_path(const std::string& sandbox_dir) const {
  return sandbox_dir + "/writable";
}

// `ephemeral` changes nothing here: the overlay mount (launch) is where it matters. A
// directory has no size: validate() refuses one for this engine.
Result<void> NsEngine::create_writable_layer(const std::string& path, bool /*ephemeral*/,
                                             uint64_t /*size_bytes*/) const {
  if (os::path_exists(path))
    return err(ErrorKind::kAlreadyExists, "writable layer exists: {}", path);
  MSB_TRY(os::make_dir_at(AT_FDCWD, path, 0700));
  MSB_TRY(os::make_dir_at(AT_FDCWD, upper_dir(path), 0755));
  MSB_TRY(os::make_dir_at(AT_FDCWD, work_dir(path), 0700));
  // The layer's root is the sandbox's "/": owned by its root, which is an unprivileged
  // host id (the base of the mapped range).
  MSB_TRY(os::chown_at(AT_FDCWD, upper_dir(path), sandbox_uid_range().base,
                       sandbox_gid_range().base, false));
  return {};
}

Result<void> NsEngine::grow_writable_layer(const std::string& /*path*/,
                                           uint64_t /*new_bytes*/) const {
  return err(ErrorKind::kUnsupported,
             "the namespace engine's root layer is a host directory without a size; nothing to "
             "grow");
}

bool NsEngine::has_writable_layer(const std::string& path) const {
  return os::is_directory(upper_dir(path)) && os::is_directory(work_dir(path));
}

namespace {

image::TreeIds layer_ids() {
  IdRange uids = sandbox_uid_range();
  IdRange gids = sandbox_gid_range();
  return {uids.base, gids.base, std::min(uids.count, gids.count)};
}

}  // namespace

Result<void> NsEngine::export_writable_layer(const std::string& path,
                                             const std::string& out) const {
  if (!has_writable_layer(path))
    return err(ErrorKind::kNotFound, "writable layer missing: {}", path);
  (void)MSB_TRY(image::write_tree_archive(upper_dir(path), out, layer_ids()));
  return {};
}

Result<void> NsEngine::import_writable_layer(const std::string& artifact,
                                             const std::string& path) const {
  MSB_TRY(create_writable_layer(path, /*ephemeral=*/false, 0));
  Result<void> extracted = image::extract_tree_archive(artifact, upper_dir(path), layer_ids());
  if (!extracted) (void)os::remove_tree(path);
  return extracted;
}

}  // namespace msb::engine::ns

namespace msb::engine {
std::unique_ptr<Engine> make_ns_engine() { return std::make_unique<ns::NsEngine>(); }
}  // namespace msb::engine
