// A namespace sandbox's volumes: detached mounts made here, on the host, and attached by the
// child inside the sandbox's root (child.cc, MountStep::kAttachVolume).
#pragma once

#include <vector>

#include "common/error.h"
#include "engine/engine.h"
#include "engine/ns/child.h"
#include "os/fd.h"

namespace msb::engine::ns {

// The detached mounts for `volumes` and the child's steps that attach them, in order. A bind
// volume is its source's own mount (not the mounts below it), idmapped so that the owner's
// files are the sandbox root's (engine/id_map.h volume_mount_id_map); a tmpfs belongs to the
// sandbox's root. All are nosuid and nodev, read-only and noexec when asked. The trees are
// numbered at or above kFirstFreeFd; keep them open until the child has exec'd.
// Errors: kInvalidConfig (an owner inside the sandbox id range), kUnsupported (the source's
// filesystem cannot be idmapped), errno kinds with the volume's target.
struct VolumeMounts {
  std::vector<os::Fd> trees;
  std::vector<MountStep> steps;
};
Result<VolumeMounts> prepare_volumes(const std::vector<VolumeSpec>& volumes);

}  // namespace msb::engine::ns
