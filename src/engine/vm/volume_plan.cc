#include "engine/vm/volume_plan.h"

#include <fmt/format.h>

#include <cstdlib>

namespace msb::engine::vm {
namespace {

GuestVolume::Kind share_kind(const VolumeSpec& volume, VolumeTransport transport) {
  if (volume.kind == VolumeSpec::Kind::kFile) return GuestVolume::Kind::kShareFile;
  return transport == VolumeTransport::k9p ? GuestVolume::Kind::k9pDirectory
                                           : GuestVolume::Kind::kShareDirectory;
}

}  // namespace

Result<VolumeTransport> parse_volume_transport(std::string_view text) {
  if (text.empty() || text == "virtiofs") return VolumeTransport::kVirtiofs;
  if (text == "9p") return VolumeTransport::k9p;
  return err(ErrorKind::kInvalidConfig, "MSB_VOLUME_TRANSPORT: expected virtiofs or 9p");
}

Result<VolumeTransport> volume_transport_from_env() {
  const char* text = std::getenv("MSB_VOLUME_TRANSPORT");
  return parse_volume_transport(text ? text : "");
}

std::vector<GuestVolume> plan_volumes(const std::vector<VolumeSpec>& volumes,
                                      VolumeTransport transport, int first_fd) {
  std::vector<GuestVolume> planned;
  int next_fd = first_fd;
  for (size_t i = 0; i < volumes.size(); ++i) {
    const VolumeSpec& volume = volumes[i];
    GuestVolume guest;
    guest.target = volume.target;
    guest.read_only = volume.read_only;
    guest.noexec = volume.noexec;
    if (volume.kind == VolumeSpec::Kind::kTmpfs) {
      guest.kind = GuestVolume::Kind::kTmpfs;
      guest.size_bytes = volume.size_bytes;
    } else {
      guest.kind = share_kind(volume, transport);
      guest.tag = fmt::format("msbvol{}", i);
      if (guest.kind == GuestVolume::Kind::k9pDirectory)
        guest.source = volume.source;
      else
        guest.socket_fd = next_fd++;
    }
    planned.push_back(std::move(guest));
  }
  return planned;
}

Result<std::vector<VolumeServer>> start_volume_servers(const LaunchSpec& spec,
                                                       const std::vector<GuestVolume>& planned) {
  std::vector<VolumeServer> servers;
  for (size_t i = 0; i < spec.volumes.size() && i < planned.size(); ++i) {
    if (planned[i].socket_fd < 0) continue;
    servers.push_back(MSB_TRY(start_volume_server(spec.volumes[i], i, spec)));
  }
  return servers;
}

}  // namespace msb::engine::vm
