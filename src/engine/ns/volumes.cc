#include "engine/ns/volumes.h"

#include <map>
#include <optional>
#include <utility>

#include "engine/id_map.h"
#include "os/loop_device.h"
#include "os/mount_api.h"
#include "os/user_namespace.h"

namespace msb::engine::ns {
namespace {

// One user namespace per distinct owner: it is only the idmap of that owner's volumes.
class IdmapCache {
 public:
  // The sandbox's own mapping (guest id n = host id base + n): a disk's files then show
  // in the sandbox with the ids stored on the disk, as the vm engine shows them.
  Result<int> sandbox_userns() {
    if (!sandbox_) {
      sandbox_ = MSB_TRY(os::make_user_namespace(id_map_line(sandbox_uid_range()),
                                                 id_map_line(sandbox_gid_range())));
    }
    return sandbox_->get();
  }
  Result<int> userns_for(uint32_t uid, uint32_t gid) {
    auto key = std::make_pair(uid, gid);
    if (auto found = namespaces_.find(key); found != namespaces_.end()) return found->second.get();
    std::string uid_map = MSB_TRY(volume_mount_id_map(uid, sandbox_uid_range()));
    std::string gid_map = MSB_TRY(volume_mount_id_map(gid, sandbox_gid_range()));
    os::Fd userns = MSB_TRY(os::make_user_namespace(uid_map, gid_map));
    int fd = userns.get();
    namespaces_.emplace(key, std::move(userns));
    return fd;
  }

 private:
  std::map<std::pair<uint32_t, uint32_t>, os::Fd> namespaces_;
  std::optional<os::Fd> sandbox_;
};

// A disk volume: the image on a loop device (autoclear: it goes with the last mount of
// it), its filesystem mounted by the host kernel, idmapped to the sandbox.
Result<os::Fd> make_disk_tree(const VolumeSpec& volume, IdmapCache& idmaps) {
  if (volume.format != "raw")
    return err(ErrorKind::kUnsupported,
               "the namespace engine mounts raw disk images only, not {} (convert with "
               "`qemu-img convert -O raw`, or use the vm engine)",
               volume.format);
  os::Fd tree = MSB_TRY(os::make_image_mount(volume.source, volume.fstype, volume.read_only));
  os::MountAttributes attributes{volume.read_only, volume.noexec, true, true,
                                 MSB_TRY(idmaps.sandbox_userns())};
  MSB_TRY(os::set_mount_attributes(tree.get(), attributes));
  return tree;
}

Result<os::Fd> make_tree(const VolumeSpec& volume, IdmapCache& idmaps) {
  if (volume.kind == VolumeSpec::Kind::kDisk) return make_disk_tree(volume, idmaps);
  os::MountAttributes attributes{volume.read_only, volume.noexec, true, true, -1};
  if (volume.kind == VolumeSpec::Kind::kTmpfs) {
    os::Fd tree = MSB_TRY(os::make_tmpfs_mount(volume.size_bytes, 01777, sandbox_uid_range().base,
                                               sandbox_gid_range().base));
    MSB_TRY(os::set_mount_attributes(tree.get(), attributes));
    return tree;
  }
  os::Fd tree = MSB_TRY(os::clone_single_mount(volume.source));
  attributes.idmap_userns_fd = MSB_TRY(idmaps.userns_for(volume.owner_uid, volume.owner_gid));
  MSB_TRY(os::set_mount_attributes(tree.get(), attributes));
  return tree;
}

// "/a/b" -> prefixes {"/a", "/a/b"}, names {"a", "b"}.
void split_target(const std::string& target, MountStep& step) {
  size_t start = 1;
  while (start <= target.size()) {
    size_t end = target.find('/', start);
    if (end == std::string::npos) end = target.size();
    step.prefixes.push_back(target.substr(0, end));
    step.names.push_back(target.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace

Result<VolumeMounts> prepare_volumes(const std::vector<VolumeSpec>& volumes) {
  VolumeMounts mounts;
  IdmapCache idmaps;
  for (const VolumeSpec& volume : volumes) {
    os::Fd tree = MSB_TRY(make_tree(volume, idmaps).context("volume {}", volume.target));
    tree = MSB_TRY(move_above_child_fds(std::move(tree)));
    MountStep step{MountStep::Kind::kAttachVolume, "", volume.target};
    step.tree_fd = tree.get();
    step.file_target = volume.kind == VolumeSpec::Kind::kFile;
    split_target(volume.target, step);
    mounts.steps.push_back(std::move(step));
    mounts.trees.push_back(std::move(tree));
  }
  return mounts;
}

}  // namespace msb::engine::ns
