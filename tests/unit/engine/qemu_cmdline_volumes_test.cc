// qemu_cmdline.cc, the volume part: shared memory, vhost-user-fs devices and the agent's
// msb.volume= / msb.tmpfs= words (split from qemu_cmdline_test.cc to keep files small).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/hex.h"
#include "engine/vm/qemu_cmdline.h"

namespace msb::engine::vm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

QemuConfig sample_config() {
  QemuConfig config;
  config.qemu = "/usr/bin/qemu-system-x86_64";
  config.kernel = "/kit/vmlinux";
  config.initramfs = "/kit/initramfs.cpio";
  config.console_log = "/run/sb/console.log";
  config.memory_mib = 768;
  config.disks = {{"/images/rootfs.erofs", "erofs", "rootfs", true},
                  {"/run/sb/upper.ext4", "ext4", "upper", false}};
  return config;
}

// Entry `entry` of share `tag`.
GuestVolume share(std::string tag, std::string target, int entry) {
  GuestVolume volume;
  volume.tag = std::move(tag);
  volume.target = std::move(target);
  volume.entry = entry;
  return volume;
}

GuestVolume tmpfs(std::string target, uint64_t size) {
  GuestVolume volume;
  volume.kind = GuestVolume::Kind::kTmpfs;
  volume.target = std::move(target);
  volume.size_bytes = size;
  return volume;
}

std::vector<std::string> values_of(const std::vector<std::string>& argv, const std::string& flag) {
  std::vector<std::string> values;
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == flag) values.push_back(argv[i + 1]);
  }
  return values;
}

std::vector<std::string> kernel_words(const std::string& line) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start <= line.size()) {
    size_t end = line.find(' ', start);
    if (end == std::string::npos) end = line.size();
    if (end > start) words.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

// Boot time matters: a sandbox without volumes must get exactly the old command line.
TEST(QemuCommandVolumes, WithoutVolumesNothingChanges) {
  QemuConfig config = sample_config();
  std::vector<std::string> before = qemu_command(config);
  for (const std::string& arg : before) {
    EXPECT_THAT(arg, Not(HasSubstr("memory-backend")));
    EXPECT_THAT(arg, Not(HasSubstr("vhost")));
  }
  EXPECT_TRUE(values_of(before, "-object").empty());
  EXPECT_TRUE(values_of(before, "-global").empty());
  EXPECT_THAT(kernel_cmdline(config), Not(HasSubstr("msb.volume")));
  EXPECT_THAT(kernel_cmdline(config), Not(HasSubstr("msb.tmpfs")));
}

TEST(QemuCommandVolumes, AShareMakesTheRamASharedMemfd) {
  QemuConfig config = sample_config();
  config.volumes = {share("msbvol0", "/data", 0)};
  config.shares = {{"msbvol0", 7}};
  std::vector<std::string> argv = qemu_command(config);
  EXPECT_EQ(values_of(argv, "-object"),
            std::vector<std::string>{"memory-backend-memfd,id=mem,size=768M,share=on"});
  ASSERT_EQ(values_of(argv, "-M").size(), 1u);
  EXPECT_THAT(values_of(argv, "-M")[0], HasSubstr(",memory-backend=mem"));
  EXPECT_EQ(values_of(argv, "-m"), std::vector<std::string>{"768"});
  // libvhost-user serves modern virtio only.
  EXPECT_EQ(values_of(argv, "-global"), std::vector<std::string>{"virtio-mmio.force-legacy=false"});
}

// One device per share, however many volumes it holds.
TEST(QemuCommandVolumes, EachShareGetsAChardevOnItsFdAndADevice) {
  QemuConfig config = sample_config();
  config.volumes = {share("msbvol0", "/a", 0), tmpfs("/t", 0), share("msbvol1", "/b", 2),
                    share("msbvol0", "/c", 3)};
  config.shares = {{"msbvol0", 7}, {"msbvol1", 8}};
  std::vector<std::string> argv = qemu_command(config);
  std::vector<std::string> chardevs = values_of(argv, "-chardev");
  EXPECT_NE(std::find(chardevs.begin(), chardevs.end(), "socket,id=vfs0,fd=7"), chardevs.end());
  EXPECT_NE(std::find(chardevs.begin(), chardevs.end(), "socket,id=vfs1,fd=8"), chardevs.end());
  std::vector<std::string> devices = values_of(argv, "-device");
  EXPECT_NE(
      std::find(devices.begin(), devices.end(), "vhost-user-fs-device,chardev=vfs0,tag=msbvol0"),
      devices.end());
  EXPECT_NE(
      std::find(devices.begin(), devices.end(), "vhost-user-fs-device,chardev=vfs1,tag=msbvol1"),
      devices.end());
  EXPECT_EQ(std::count_if(devices.begin(), devices.end(),
                          [](const std::string& d) { return d.starts_with("vhost-user-fs"); }),
            2);
}

TEST(QemuCommandVolumes, ATmpfsAloneNeedsNoSharedMemory) {
  QemuConfig config = sample_config();
  config.volumes = {tmpfs("/scratch", 1 << 20)};
  std::vector<std::string> argv = qemu_command(config);
  EXPECT_TRUE(values_of(argv, "-object").empty());
  EXPECT_THAT(values_of(argv, "-M")[0], Not(HasSubstr("memory-backend")));
  EXPECT_THAT(kernel_cmdline(config), HasSubstr(" msb.tmpfs=1048576:-:" + hex_encode("/scratch")));
}

TEST(KernelCmdlineVolumes, OneWordPerVolumeInOrderWithFlags) {
  QemuConfig config = sample_config();
  GuestVolume ro = share("msbvol0", "/data", 0);
  ro.read_only = true;
  GuestVolume file = share("msbvol1", "/etc/app.conf", 1);
  file.kind = GuestVolume::Kind::kShareFile;
  file.noexec = true;
  GuestVolume scratch = tmpfs("/scratch", 0);
  scratch.noexec = true;
  scratch.read_only = true;
  config.volumes = {ro, file, scratch};
  std::vector<std::string> words = kernel_words(kernel_cmdline(config));
  ASSERT_GE(words.size(), 3u);
  EXPECT_EQ(words[words.size() - 3], "msb.volume=msbvol0/0:ro:" + hex_encode("/data"));
  EXPECT_EQ(words[words.size() - 2],
            "msb.volume=msbvol1/1:noexec+file:" + hex_encode("/etc/app.conf"));
  EXPECT_EQ(words[words.size() - 1], "msb.tmpfs=0:ro+noexec:" + hex_encode("/scratch"));
}

// Targets are a user's text: whatever they hold, each volume adds exactly one word of hex.
TEST(KernelCmdlineVolumes, HostileTargetsNeverAddKernelParameters) {
  for (const std::string& target :
       std::vector<std::string>{"/a init=/bin/sh", "/\"x y\" rdinit=/bin/sh",
                                "/x\nmsb.exit-at-init", "/a:b:c", "/ä ö"}) {
    QemuConfig config = sample_config();
    size_t before = kernel_words(kernel_cmdline(config)).size();
    config.volumes = {share("msbvol0", target, 3), tmpfs(target, 1)};
    std::vector<std::string> words = kernel_words(kernel_cmdline(config));
    ASSERT_EQ(words.size(), before + 2) << target;
    EXPECT_EQ(words[before], "msb.volume=msbvol0/3:-:" + hex_encode(target));
    EXPECT_EQ(words[before + 1], "msb.tmpfs=1:-:" + hex_encode(target));
  }
}

TEST(KernelCmdlineVolumesDeathTest, TagsMustBeShortPlainWords) {
  for (const std::string& tag :
       std::vector<std::string>{"", "a b", "a,b", "a:b", std::string(37, 'a')}) {
    QemuConfig config = sample_config();
    config.volumes = {share(tag, "/data", 3)};
    EXPECT_DEATH((void)kernel_cmdline(config), "") << tag;
    config.volumes.clear();
    config.shares = {{tag, 5}};
    EXPECT_DEATH((void)qemu_command(config), "") << tag;
  }
}

TEST(KernelCmdlineLength, LongTargetsAreRefusedWithAClearError) {
  QemuConfig config = sample_config();
  config.volumes = {share("msbvol0", "/" + std::string(100, 'a'), 0)};
  EXPECT_TRUE(check_kernel_cmdline_length(config));
  // 512 bytes of targets (what config validation allows) take 1024 hex digits.
  config.volumes.clear();
  config.shares = {{"msbvol0", 5}};
  for (int i = 0; i < 4; ++i)
    config.volumes.push_back(share("msbvol0", "/" + std::string(127, 'a'), i));
  EXPECT_TRUE(check_kernel_cmdline_length(config)) << kernel_cmdline(config).size();
  config.volumes.push_back(tmpfs("/" + std::string(400, 'b'), 0));
  Result<void> checked = check_kernel_cmdline_length(config);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().kind, ErrorKind::kInvalidConfig);
  EXPECT_THAT(checked.error().message, HasSubstr("too long"));
}

// microvm has 8 virtio-mmio transports; 5 go to the disks, rng, serial port and network.
TEST(QemuCommandVolumes, ADiskVolumeIsAVirtioBlkDiskWithItsFormat) {
  QemuConfig config = sample_config();
  GuestVolume disk;
  disk.kind = GuestVolume::Kind::kDisk;
  disk.tag = "msbdisk0";
  disk.source = "/images/a,b.qcow2";
  disk.format = "qcow2";
  disk.fstype = "ext4";
  disk.target = "/data";
  disk.read_only = true;
  config.volumes = {disk};
  std::vector<std::string> argv = qemu_command(config);
  EXPECT_NE(std::find(argv.begin(), argv.end(),
                      "id=msbdisk0,file=/images/a,,b.qcow2,format=qcow2,if=none,readonly=on"),
            argv.end());
  EXPECT_NE(std::find(argv.begin(), argv.end(), "virtio-blk-device,drive=msbdisk0,serial=msbdisk0"),
            argv.end());
  EXPECT_THAT(kernel_cmdline(config),
              HasSubstr(" msb.disk=msbdisk0/ext4:ro:" + hex_encode("/data")));
}

TEST(DeviceCount, EachDiskVolumeTakesATransport) {
  QemuConfig config = sample_config();  // 2 disks, rng, serial: 4 devices
  GuestVolume disk;
  disk.kind = GuestVolume::Kind::kDisk;
  disk.format = "raw";
  disk.fstype = "ext4";
  disk.target = "/d";
  for (int i = 0; i < 4; ++i) {
    disk.tag = "msbdisk" + std::to_string(i);
    config.volumes.push_back(disk);
  }
  EXPECT_TRUE(check_device_count(config));
  disk.tag = "msbdisk4";
  config.volumes.push_back(disk);
  Result<void> nine = check_device_count(config);
  ASSERT_FALSE(nine);
  EXPECT_THAT(nine.error().message, HasSubstr("one device per disk"));
}

TEST(DeviceCount, SharesFitTheTransportsLeft) {
  QemuConfig config = sample_config();
  config.network = GuestNetworkSpec{};
  config.shares = {{"msbvol0", 5}, {"msbvol1", 6}, {"msbvol2", 7}};
  EXPECT_TRUE(check_device_count(config));
  config.shares.push_back({"msbvol3", 8});
  Result<void> checked = check_device_count(config);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().kind, ErrorKind::kInvalidConfig);
  EXPECT_THAT(checked.error().message, HasSubstr("owner"));
  config.network.reset();
  EXPECT_TRUE(check_device_count(config));
}

}  // namespace
}  // namespace msb::engine::vm
