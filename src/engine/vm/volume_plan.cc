#include "engine/vm/volume_plan.h"

#include <fmt/format.h>

#include <cstdlib>

namespace msb::engine::vm {
namespace {

GuestVolume::Kind volume_kind(const VolumeSpec& volume, VolumeTransport transport) {
  if (volume.kind == VolumeSpec::Kind::kTmpfs) return GuestVolume::Kind::kTmpfs;
  if (volume.kind == VolumeSpec::Kind::kDisk) return GuestVolume::Kind::kDisk;
  if (volume.kind == VolumeSpec::Kind::kFile) return GuestVolume::Kind::kShareFile;
  return transport == VolumeTransport::k9p ? GuestVolume::Kind::k9pDirectory
                                           : GuestVolume::Kind::kShareDirectory;
}

// The share of the volume's owner, made when it is the first of that owner.
ShareGroup& group_for(VolumePlan& plan, const std::vector<VolumeSpec>& volumes,
                      const VolumeSpec& volume, int first_fd) {
  for (ShareGroup& group : plan.groups) {
    const VolumeSpec& first = volumes[group.volumes.front()];
    if (first.owner_uid == volume.owner_uid && first.owner_gid == volume.owner_gid) return group;
  }
  size_t index = plan.groups.size();
  plan.groups.push_back(ShareGroup{
      VhostShare{fmt::format("msbvol{}", index), first_fd + static_cast<int>(index)}, {}});
  return plan.groups.back();
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

VolumePlan plan_volumes(const std::vector<VolumeSpec>& volumes, VolumeTransport transport,
                        int first_fd) {
  VolumePlan plan;
  for (size_t i = 0; i < volumes.size(); ++i) {
    const VolumeSpec& volume = volumes[i];
    GuestVolume guest;
    guest.target = volume.target;
    guest.read_only = volume.read_only;
    guest.noexec = volume.noexec;
    guest.kind = volume_kind(volume, transport);
    if (guest.kind == GuestVolume::Kind::kTmpfs) {
      guest.size_bytes = volume.size_bytes;
    } else if (guest.kind == GuestVolume::Kind::kDisk) {
      guest.tag = fmt::format("msbdisk{}", i);
      guest.source = volume.source;
      guest.format = volume.format;
      guest.fstype = volume.fstype;
    } else if (guest.kind == GuestVolume::Kind::k9pDirectory) {
      guest.tag = fmt::format("msb9p{}", i);
      guest.source = volume.source;
    } else {
      ShareGroup& group = group_for(plan, volumes, volume, first_fd);
      group.volumes.push_back(i);
      guest.tag = group.share.tag;
      guest.entry = static_cast<int>(i);
    }
    plan.volumes.push_back(std::move(guest));
  }
  return plan;
}

Result<std::vector<VolumeServer>> start_volume_servers(const LaunchSpec& spec,
                                                       const VolumePlan& plan) {
  std::vector<VolumeServer> servers;
  for (size_t g = 0; g < plan.groups.size(); ++g)
    servers.push_back(MSB_TRY(start_volume_server(spec, plan.groups[g].volumes, g)));
  return servers;
}

}  // namespace msb::engine::vm
