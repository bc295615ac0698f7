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

TEST(PlanVolumes, KeepsTheOrderAndNumbersTagsAndFdsByVolume) {
  std::vector<GuestVolume> planned = plan_volumes(sample_volumes(), VolumeTransport::kVirtiofs, 5);
  ASSERT_EQ(planned.size(), 3u);
  EXPECT_EQ(planned[0].kind, GuestVolume::Kind::kShareDirectory);
  EXPECT_EQ(planned[0].tag, "msbvol0");
  EXPECT_EQ(planned[0].socket_fd, 5);
  EXPECT_TRUE(planned[0].read_only);
  EXPECT_EQ(planned[1].kind, GuestVolume::Kind::kTmpfs);
  EXPECT_EQ(planned[1].size_bytes, 4096u);
  EXPECT_EQ(planned[1].socket_fd, -1);
  EXPECT_TRUE(planned[1].tag.empty());
  EXPECT_EQ(planned[2].kind, GuestVolume::Kind::kShareFile);
  EXPECT_EQ(planned[2].tag, "msbvol2");
  EXPECT_EQ(planned[2].socket_fd, 6);
  EXPECT_EQ(planned[2].target, "/app.conf");
}

// 9p serves directories from QEMU itself: no socket, no shared memory; files stay virtiofs.
TEST(PlanVolumes, NinePServesDirectoriesOnly) {
  std::vector<GuestVolume> planned = plan_volumes(sample_volumes(), VolumeTransport::k9p, 5);
  ASSERT_EQ(planned.size(), 3u);
  EXPECT_EQ(planned[0].kind, GuestVolume::Kind::k9pDirectory);
  EXPECT_EQ(planned[0].source, "/srv/data");
  EXPECT_EQ(planned[0].socket_fd, -1);
  EXPECT_EQ(planned[2].kind, GuestVolume::Kind::kShareFile);
  EXPECT_EQ(planned[2].socket_fd, 5);
}

TEST(PlanVolumes, NinePCommandLine) {
  QemuConfig config;
  config.qemu = "qemu";
  config.memory_mib = 256;
  std::vector<VolumeSpec> volumes = {volume(VolumeSpec::Kind::kDirectory, "/a,b", "/data")};
  volumes[0].read_only = true;
  config.volumes = plan_volumes(volumes, VolumeTransport::k9p, 5);
  std::vector<std::string> argv = qemu_command(config);
  EXPECT_EQ(values_of(argv, "-fsdev"),
            std::vector<std::string>{
                "local,id=fsdev0,path=/a,,b,security_model=mapped-xattr,readonly=on"});
  EXPECT_EQ(values_of(argv, "-object").size(), 0u);  // no shared memory for 9p
  std::vector<std::string> devices = values_of(argv, "-device");
  EXPECT_NE(
      std::find(devices.begin(), devices.end(), "virtio-9p-device,fsdev=fsdev0,mount_tag=msbvol0"),
      devices.end());
  EXPECT_THAT(kernel_cmdline(config), HasSubstr(" msb.volume=msbvol0:ro+9p:2f64617461"));
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
