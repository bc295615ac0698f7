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

// The guest's mounts for `volumes`, in their order (pure): tags msbvol<i>; the virtiofs
// shares get QEMU's socket fds first_fd, first_fd+1, ... in order.
std::vector<GuestVolume> plan_volumes(const std::vector<VolumeSpec>& volumes,
                                      VolumeTransport transport, int first_fd);

// A virtiofsd for each planned virtiofs share (spec.volumes[i] is planned[i]), started
// before QEMU, whose vhost-user devices talk to them as they are created. If one fails,
// those started already are killed and reaped. Errors: start_volume_server()'s.
Result<std::vector<VolumeServer>> start_volume_servers(const LaunchSpec& spec,
                                                       const std::vector<GuestVolume>& planned);

}  // namespace msb::engine::vm
