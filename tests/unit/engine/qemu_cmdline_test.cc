#include "engine/vm/qemu_cmdline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/hex.h"
#include "engine/vm/accel.h"

namespace msb::engine::vm {
namespace {

using namespace std::string_literals;

using ::testing::HasSubstr;
using ::testing::Not;

QemuConfig sample_config() {
  QemuConfig config;
  config.qemu = "/usr/bin/qemu-system-x86_64";
  config.kernel = "/kit/vmlinux";
  config.initramfs = "/kit/initramfs.cpio";
  config.console_log = "/run/sb/console.log";
  config.accel = Accel::kTcg;
  config.cpus = 2;
  config.memory_mib = 768;
  config.disks = {{"/images/rootfs.erofs", "erofs", "rootfs", true},
                  {"/run/sb/upper.ext4", "ext4", "upper", false}};
  config.agent_fd = 3;
  config.hostname = "box";
  return config;
}

// Every argument that directly follows `flag`, in order.
std::vector<std::string> values_of(const std::vector<std::string>& argv, const std::string& flag) {
  std::vector<std::string> values;
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == flag) values.push_back(argv[i + 1]);
  }
  return values;
}

std::string value_of(const std::vector<std::string>& argv, const std::string& flag) {
  std::vector<std::string> values = values_of(argv, flag);
  return values.size() == 1 ? values[0] : "<" + std::to_string(values.size()) + " values>";
}

bool contains_sequence(const std::vector<std::string>& argv, const std::vector<std::string>& part) {
  return std::search(argv.begin(), argv.end(), part.begin(), part.end()) != argv.end();
}

bool contains(const std::vector<std::string>& argv, const std::string& arg) {
  return std::find(argv.begin(), argv.end(), arg) != argv.end();
}

TEST(QemuCommand, StartsWithTheQemuBinary) {
  std::vector<std::string> argv = qemu_command(sample_config());
  ASSERT_FALSE(argv.empty());
  EXPECT_EQ(argv[0], "/usr/bin/qemu-system-x86_64");
}

TEST(QemuCommand, MachineIsMicrovmWithAcpiOff) {
  std::string machine = value_of(qemu_command(sample_config()), "-M");
  EXPECT_EQ(machine.rfind("microvm,", 0), 0u) << machine;
  EXPECT_THAT(machine, HasSubstr("acpi=off"));
}

TEST(QemuCommand, TcgArguments) {
  std::vector<std::string> argv = qemu_command(sample_config());
  EXPECT_TRUE(contains_sequence(argv, {"-accel", "tcg", "-cpu", "max"}));
  EXPECT_EQ(tcg_qemu_args(), (std::vector<std::string>{"-accel", "tcg", "-cpu", "max"}));
  EXPECT_FALSE(contains(argv, "kvm"));
}

TEST(QemuCommand, KvmArguments) {
  QemuConfig config = sample_config();
  config.accel = Accel::kKvm;
  std::vector<std::string> argv = qemu_command(config);
  EXPECT_TRUE(contains_sequence(argv, {"-accel", "kvm"}));
  EXPECT_TRUE(contains_sequence(argv, kvm_qemu_args()));
  EXPECT_THAT(value_of(argv, "-cpu"), HasSubstr("host"));
  EXPECT_FALSE(contains(argv, "tcg"));
}

TEST(QemuCommand, SizesComeFromTheConfig) {
  std::vector<std::string> argv = qemu_command(sample_config());
  EXPECT_EQ(value_of(argv, "-m"), "768");
  EXPECT_EQ(value_of(argv, "-smp"), "2");
}

TEST(QemuCommand, NoDefaultDevicesAndNoReboot) {
  std::vector<std::string> argv = qemu_command(sample_config());
  EXPECT_TRUE(contains(argv, "-nodefaults"));
  EXPECT_TRUE(contains(argv, "-no-user-config"));
  EXPECT_TRUE(contains(argv, "-no-reboot"));
  EXPECT_EQ(value_of(argv, "-display"), "none");
}

TEST(QemuCommand, EachDiskGetsADriveAndAVirtioBlkDevice) {
  std::vector<std::string> argv = qemu_command(sample_config());
  EXPECT_EQ(values_of(argv, "-drive"),
            (std::vector<std::string>{
                "id=rootfs,file=/images/rootfs.erofs,format=raw,if=none,readonly=on",
                "id=upper,file=/run/sb/upper.ext4,format=raw,if=none"}));
  std::vector<std::string> devices = values_of(argv, "-device");
  EXPECT_TRUE(contains(devices, "virtio-blk-device,drive=rootfs,serial=rootfs"));
  EXPECT_TRUE(contains(devices, "virtio-blk-device,drive=upper,serial=upper"));
}

TEST(QemuCommand, OnlyReadOnlyDisksAreReadOnly) {
  QemuConfig config = sample_config();
  config.disks[0].read_only = false;
  config.disks[1].read_only = true;
  std::vector<std::string> drives = values_of(qemu_command(config), "-drive");
  ASSERT_EQ(drives.size(), 2u);
  EXPECT_THAT(drives[0], Not(HasSubstr("readonly")));
  EXPECT_THAT(drives[1], HasSubstr(",readonly=on"));
}

// A throwaway disk (an ephemeral run's upper layer) skips the host's fsyncs; every other
// disk keeps QEMU's default cache mode, which passes the guest's flushes on.
TEST(QemuCommand, OnlyThrowawayDisksIgnoreFlushes) {
  QemuConfig config = sample_config();
  std::vector<std::string> drives = values_of(qemu_command(config), "-drive");
  ASSERT_EQ(drives.size(), 2u);
  EXPECT_THAT(drives[0], Not(HasSubstr("cache=")));
  EXPECT_THAT(drives[1], Not(HasSubstr("cache=")));
  config.disks[1].ignore_flushes = true;
  drives = values_of(qemu_command(config), "-drive");
  ASSERT_EQ(drives.size(), 2u);
  EXPECT_THAT(drives[0], Not(HasSubstr("cache=")));
  EXPECT_EQ(drives[1], "id=upper,file=/run/sb/upper.ext4,format=raw,if=none,cache=unsafe");
}

TEST(QemuCommand, CommasInOptionPathsAreDoubled) {
  QemuConfig config = sample_config();
  config.disks[0].path = "/data/a,b/rootfs.erofs";
  config.console_log = "/run/x,y/console.log";
  std::vector<std::string> argv = qemu_command(config);
  EXPECT_THAT(values_of(argv, "-drive")[0], HasSubstr("file=/data/a,,b/rootfs.erofs,format=raw"));
  EXPECT_TRUE(contains(values_of(argv, "-chardev"), "file,id=console,path=/run/x,,y/console.log"));
}

TEST(QemuCommand, KernelAndInitrdArePlainFilenames) {
  // QEMU takes -kernel and -initrd verbatim (no option parsing): doubling a comma there
  // would name a different file.
  QemuConfig config = sample_config();
  config.kernel = "/kit,1/vmlinux";
  config.initramfs = "/kit,1/initramfs.cpio";
  std::vector<std::string> argv = qemu_command(config);
  EXPECT_EQ(value_of(argv, "-kernel"), "/kit,1/vmlinux");
  EXPECT_EQ(value_of(argv, "-initrd"), "/kit,1/initramfs.cpio");
}

TEST(QemuCommand, ConsoleGoesToTheLogFile) {
  std::vector<std::string> argv = qemu_command(sample_config());
  EXPECT_TRUE(contains(values_of(argv, "-chardev"), "file,id=console,path=/run/sb/console.log"));
  EXPECT_EQ(value_of(argv, "-serial"), "chardev:console");
}

TEST(QemuCommand, AgentChardevUsesTheInheritedFd) {
  QemuConfig config = sample_config();
  config.agent_fd = 7;
  std::vector<std::string> argv = qemu_command(config);
  EXPECT_TRUE(contains(values_of(argv, "-chardev"), "socket,id=agent,fd=7"));
  EXPECT_TRUE(contains(values_of(argv, "-device"), "virtserialport,chardev=agent,name=agent"));
  EXPECT_TRUE(contains(values_of(argv, "-device"), "virtio-serial-device"));
}

TEST(QemuCommand, AppendCarriesTheKernelCmdline) {
  QemuConfig config = sample_config();
  std::vector<std::string> argv = qemu_command(config);
  EXPECT_EQ(value_of(argv, "-append"), kernel_cmdline(config));
}

TEST(KernelCmdline, NamesTheDisksForTheAgent) {
  std::string line = kernel_cmdline(sample_config());
  EXPECT_THAT(line, HasSubstr(" msb.rootfs=erofs:rootfs"));
  EXPECT_THAT(line, HasSubstr(" msb.upper=ext4:upper"));
  EXPECT_THAT(line, HasSubstr(" msb.hostname=626f78"));  // "box"
}

// The command line split the way the kernel splits it: at spaces, tabs and newlines
// (its quote handling only matters for text that holds quotes; ours never does).
std::vector<std::string> kernel_words(const std::string& line) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start < line.size()) {
    size_t end = line.find_first_of(" \t\n", start);
    if (end == std::string::npos) end = line.size();
    if (end > start) words.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

// Hostnames a user may choose (1-64 bytes, any byte but NUL in practice): whatever they
// hold, the kernel sees the same fixed words, and the hostname is one hex word of them.
TEST(KernelCmdline, HostileHostnamesNeverAddKernelParameters) {
  std::string every_byte;
  for (int byte = 1; byte < 256; ++byte) every_byte += static_cast<char>(byte);
  std::vector<std::string> hostnames = {
      "a init=/bin/sh",
      "a rdinit=/bin/sh msb.rootfs=ext4:evil",
      "x=y",
      " leading and trailing ",
      "\"double\" 'single' `back`",
      "\"a b\" init=/bin/sh",
      "line\nbreak\tand\rreturn",
      "-- init=/bin/sh",
      "msb.exit-at-init",
      std::string(64, '\xff'),
      every_byte.substr(0, 64),
      every_byte.substr(64, 64),
      every_byte.substr(128, 64),
      every_byte.substr(192),
      "a_b",
      std::string(64, 'a'),
  };
  for (const std::string& hostname : hostnames) {
    QemuConfig config = sample_config();
    config.hostname = hostname;
    std::string line = kernel_cmdline(config);
    EXPECT_EQ(
        kernel_words(line),
        (std::vector<std::string>{"console=ttyS0", "quiet", "panic=-1", "reboot=t", "rdinit=/init",
                                  "msb.rootfs=erofs:rootfs", "msb.upper=ext4:upper",
                                  "msb.hostname=" + hex_encode(hostname)}))
        << line;
    // Only lowercase hex digits after the key: nothing the kernel would split or unquote.
    std::string value = kernel_words(line).back().substr(std::string("msb.hostname=").size());
    EXPECT_EQ(value.size(), hostname.size() * 2);
    EXPECT_EQ(value.find_first_not_of("0123456789abcdef"), std::string::npos) << value;
    // -append carries exactly that line, as one argument.
    EXPECT_EQ(value_of(qemu_command(config), "-append"), line);
  }
}

// The whole command line with every optional word, for a hostile hostname: nothing more.
TEST(KernelCmdline, HasExactlyTheExpectedWords) {
  QemuConfig config = sample_config();
  config.hostname = "a init=/bin/sh";
  config.disks[1].ignore_flushes = true;
  config.clock_ns = 42;
  config.tsc_khz = 1000;
  EXPECT_EQ(kernel_cmdline(config),
            "console=ttyS0 quiet panic=-1 reboot=t rdinit=/init msb.rootfs=erofs:rootfs "
            "msb.upper=ext4:upper msb.volatile-upper msb.hostname=6120696e69743d2f62696e2f7368 "
            "msb.clock-ns=42 tsc_early_khz=1000");
}

// Disk names are the engine's own constants; one that is not a plain word is a bug that
// must never reach the kernel or QEMU's option parser.
TEST(KernelCmdlineDeathTest, DiskNamesMustBePlainWords) {
  for (auto change :
       {+[](DiskSpec& disk) { disk.serial = "upper init=/bin/sh"; },
        +[](DiskSpec& disk) { disk.fstype = "ext4 rdinit=/bin/sh"; },
        +[](DiskSpec& disk) { disk.serial = "a,b"; }, +[](DiskSpec& disk) { disk.serial = ""; }}) {
    QemuConfig config = sample_config();
    change(config.disks[1]);
    EXPECT_DEATH((void)kernel_cmdline(config), "");
  }
  QemuConfig config = sample_config();
  config.disks[0].serial = "root,file=/etc/shadow";
  EXPECT_DEATH((void)qemu_command(config), "");
}

TEST(KernelCmdline, OnlyAThrowawayUpperDiskIsVolatile) {
  QemuConfig config = sample_config();
  EXPECT_THAT(kernel_cmdline(config), Not(HasSubstr("volatile")));
  config.disks[1].ignore_flushes = true;
  EXPECT_THAT(kernel_cmdline(config), HasSubstr(" msb.upper=ext4:upper msb.volatile-upper"));
}

TEST(KernelCmdline, ATmpfsRootLayerReplacesTheUpperDisk) {
  QemuConfig config = sample_config();
  EXPECT_THAT(kernel_cmdline(config), Not(HasSubstr("upper-tmpfs")));
  config.disks.pop_back();
  config.upper_tmpfs_bytes = 256u << 20;
  std::string line = kernel_cmdline(config);
  EXPECT_THAT(line, HasSubstr(" msb.upper-tmpfs=268435456"));
  EXPECT_THAT(line, Not(HasSubstr("msb.upper=")));
  EXPECT_EQ(values_of(qemu_command(config), "-drive").size(), 1u);
}

TEST(KernelCmdline, PanicAndRebootMakeQemuExit) {
  std::string line = kernel_cmdline(sample_config());
  EXPECT_THAT(line, HasSubstr("panic=-1"));
  EXPECT_THAT(line, HasSubstr("reboot=t"));
  EXPECT_THAT(line, HasSubstr("console=ttyS0"));
  EXPECT_THAT(line, HasSubstr("rdinit=/init"));
}

TEST(KernelCmdline, OmitsWhatIsNotConfigured) {
  QemuConfig config = sample_config();
  config.disks.pop_back();
  config.hostname.clear();
  std::string line = kernel_cmdline(config);
  EXPECT_THAT(line, HasSubstr("msb.rootfs=erofs:rootfs"));
  EXPECT_THAT(line, Not(HasSubstr("msb.upper")));
  EXPECT_THAT(line, Not(HasSubstr("msb.hostname")));
  EXPECT_THAT(line, Not(HasSubstr("msb.clock-ns")));
  EXPECT_THAT(line, Not(HasSubstr("tsc_early_khz")));
}

TEST(KernelCmdline, HandsTheClockToTheGuest) {
  QemuConfig config = sample_config();
  config.clock_ns = 1700000000123456789ULL;
  EXPECT_THAT(kernel_cmdline(config), HasSubstr(" msb.clock-ns=1700000000123456789"));
}

TEST(KernelCmdline, GivesAKnownTscRateSoTheKernelNeedNotCalibrate) {
  QemuConfig config = sample_config();
  config.tsc_khz = 2445432;
  EXPECT_THAT(kernel_cmdline(config), HasSubstr(" tsc_early_khz=2445432"));
}

}  // namespace
}  // namespace msb::engine::vm
