// Which volumes the vm engine serves how: virtiofsd for host directories and files (or, for
// benchmarks, QEMU's own 9p server for directories), the guest kernel for tmpfs.
#pragma once

#include <vector>

#include "engine/engine.h"
#include "engine/vm/qemu_cmdline.h"
#include "engine/vm/volume_server.h"

namespace msb::engine::vm {

enum class VolumeTransport {
  kVirtiofs,  // the default: one virtiofsd per volume, in a user namespace of its ids
  k9p,        // directories through virtio-9p, served by QEMU (as root): benchmarks only
};

// $MSB_VOLUME_TRANSPORT: unset or "virtiofs", or "9p". kInvalidConfig otherwise.
Result<VolumeTransport> volume_transport_from_env();
Result<VolumeTransport> parse_volume_transport(std::string_view text);

// One virtiofsd's share: the volumes (indices into LaunchSpec::volumes) of one host owner.
// microvm has 8 virtio-mmio transports in all, so volumes share a server when their ids
// allow it: the server's user namespace maps guest root to the one owner.
struct ShareGroup {
  VhostShare share;
  std::vector<size_t> volumes;
};

struct VolumePlan {
  std::vector<GuestVolume> volumes;  // the guest's mounts, in LaunchSpec::volumes order
  std::vector<ShareGroup> groups;    // in order of their first volume
};

// The plan for `volumes` (pure): virtiofs shares tagged msbvol<g>, one per (owner_uid,
// owner_gid) in order of first appearance, with QEMU's socket fds first_fd, first_fd+1, ...;
// each volume is the entry named by its index in its share.
VolumePlan plan_volumes(const std::vector<VolumeSpec>& volumes, VolumeTransport transport,
                        int first_fd);

// A virtiofsd for each share group, started before QEMU, whose vhost-user devices talk to
// them as they are created. If one fails, those started already are killed and reaped.
// Errors: start_volume_server()'s.
Result<std::vector<VolumeServer>> start_volume_servers(const LaunchSpec& spec,
                                                       const VolumePlan& plan);

}  // namespace msb::engine::vm
