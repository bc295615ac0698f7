#include "engine/vm/volume_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace msb::engine::vm {
namespace {

using ::testing::HasSubstr;

VolumeSpec volume(VolumeSpec::Kind kind, std::string source, std::string target) {
  VolumeSpec spec;
  spec.kind = kind;
  spec.source = std::move(source);
  spec.target = std::move(target);
  return spec;
}

std::vector<VolumeSpec> sample_volumes() {
  VolumeSpec scratch = volume(VolumeSpec::Kind::kTmpfs, "", "/scratch");
  scratch.size_bytes = 4096;
  VolumeSpec data = volume(VolumeSpec::Kind::kDirectory, "/srv/data", "/data");
  data.read_only = true;
  return {data, scratch, volume(VolumeSpec::Kind::kFile, "/etc/app.conf", "/app.conf")};
}

std::vector<std::string> values_of(const std::vector<std::string>& argv, const std::string& flag) {
  std::vector<std::string> values;
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == flag) values.push_back(argv[i + 1]);
  }
  return values;
}

TEST(PlanVolumes, OneShareHoldsTheVolumesOfOneOwner) {
  VolumePlan plan = plan_volumes(sample_volumes(), VolumeTransport::kVirtiofs, 5);
  ASSERT_EQ(plan.volumes.size(), 3u);
  const std::vector<GuestVolume>& planned = plan.volumes;
  EXPECT_EQ(planned[0].kind, GuestVolume::Kind::kShareDirectory);
  EXPECT_EQ(planned[0].tag, "msbvol0");
  EXPECT_EQ(planned[0].entry, 0);
  EXPECT_TRUE(planned[0].read_only);
  EXPECT_EQ(planned[1].kind, GuestVolume::Kind::kTmpfs);
  EXPECT_EQ(planned[1].size_bytes, 4096u);
  EXPECT_EQ(planned[1].entry, -1);
  EXPECT_TRUE(planned[1].tag.empty());
  EXPECT_EQ(planned[2].kind, GuestVolume::Kind::kShareFile);
  EXPECT_EQ(planned[2].tag, "msbvol0");
  EXPECT_EQ(planned[2].entry, 2);
  EXPECT_EQ(planned[2].target, "/app.conf");
  ASSERT_EQ(plan.groups.size(), 1u);
  EXPECT_EQ(plan.groups[0].share.tag, "msbvol0");
  EXPECT_EQ(plan.groups[0].share.socket_fd, 5);
  EXPECT_EQ(plan.groups[0].volumes, (std::vector<size_t>{0, 2}));
}

// The server's user namespace maps guest root to one owner: owners get shares of their own.
TEST(PlanVolumes, EachOwnerGetsItsOwnShare) {
  std::vector<VolumeSpec> volumes = sample_volumes();
  volumes[2].owner_uid = 1000;
  VolumeSpec other_group = volume(VolumeSpec::Kind::kDirectory, "/srv/g", "/g");
  other_group.owner_gid = 1000;
  volumes.push_back(other_group);
  volumes.push_back(volume(VolumeSpec::Kind::kDirectory, "/srv/more", "/more"));
  VolumePlan plan = plan_volumes(volumes, VolumeTransport::kVirtiofs, 5);
  ASSERT_EQ(plan.groups.size(), 3u);
  EXPECT_EQ(plan.groups[0].volumes, (std::vector<size_t>{0, 4}));
  EXPECT_EQ(plan.groups[1].volumes, (std::vector<size_t>{2}));
  EXPECT_EQ(plan.groups[2].volumes, (std::vector<size_t>{3}));
  EXPECT_EQ(plan.groups[2].share.tag, "msbvol2");
  EXPECT_EQ(plan.groups[2].share.socket_fd, 7);
  EXPECT_EQ(plan.volumes[2].tag, "msbvol1");
  EXPECT_EQ(plan.volumes[4].tag, "msbvol0");
  EXPECT_EQ(plan.volumes[4].entry, 4);
}

// 9p serves directories from QEMU itself: no socket, no shared memory; files stay virtiofs.
TEST(PlanVolumes, NinePServesDirectoriesOnly) {
  VolumePlan plan = plan_volumes(sample_volumes(), VolumeTransport::k9p, 5);
  ASSERT_EQ(plan.volumes.size(), 3u);
  EXPECT_EQ(plan.volumes[0].kind, GuestVolume::Kind::k9pDirectory);
  EXPECT_EQ(plan.volumes[0].source, "/srv/data");
  EXPECT_EQ(plan.volumes[0].tag, "msb9p0");
  EXPECT_EQ(plan.volumes[2].kind, GuestVolume::Kind::kShareFile);
  ASSERT_EQ(plan.groups.size(), 1u);
  EXPECT_EQ(plan.groups[0].volumes, (std::vector<size_t>{2}));
}

TEST(PlanVolumes, NinePCommandLine) {
  QemuConfig config;
  config.qemu = "qemu";
  config.memory_mib = 256;
  std::vector<VolumeSpec> volumes = {volume(VolumeSpec::Kind::kDirectory, "/a,b", "/data")};
  volumes[0].read_only = true;
  config.volumes = plan_volumes(volumes, VolumeTransport::k9p, 5).volumes;
  std::vector<std::string> argv = qemu_command(config);
  EXPECT_EQ(values_of(argv, "-fsdev"),
            std::vector<std::string>{
                "local,id=fsdev0,path=/a,,b,security_model=mapped-xattr,readonly=on"});
  EXPECT_EQ(values_of(argv, "-object").size(), 0u);  // no shared memory for 9p
  std::vector<std::string> devices = values_of(argv, "-device");
  EXPECT_NE(
      std::find(devices.begin(), devices.end(), "virtio-9p-device,fsdev=fsdev0,mount_tag=msb9p0"),
      devices.end());
  EXPECT_THAT(kernel_cmdline(config), HasSubstr(" msb.volume=msb9p0:ro+9p:2f64617461"));
}

TEST(VolumeTransport, ParsesTheBenchmarkSwitch) {
  EXPECT_EQ(parse_volume_transport(""), VolumeTransport::kVirtiofs);
  EXPECT_EQ(parse_volume_transport("virtiofs"), VolumeTransport::kVirtiofs);
  EXPECT_EQ(parse_volume_transport("9p"), VolumeTransport::k9p);
  Result<VolumeTransport> bad = parse_volume_transport("nfs");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalidConfig);
}

}  // namespace
}  // namespace msb::engine::vm
