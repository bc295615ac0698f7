#include "agent/options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/hex.h"

namespace msb::agent {
namespace {

using namespace std::string_literals;

AgentOptions parse_args_ok(const std::vector<std::string>& args) {
  Result<AgentOptions> options = parse_agent_args(args);
  EXPECT_TRUE(options.has_value()) << options.error().message;
  return options.value_or(AgentOptions{});
}

AgentOptions parse_cmdline_ok(std::string_view cmdline) {
  Result<AgentOptions> options = parse_kernel_cmdline(cmdline);
  EXPECT_TRUE(options.has_value()) << options.error().message;
  return options.value_or(AgentOptions{});
}

TEST(ParseAgentArgs, DefaultsWithNoArguments) {
  AgentOptions options = parse_args_ok({});
  EXPECT_EQ(options.channel_fd, -1);
  EXPECT_FALSE(options.exit_at_init);
  EXPECT_FALSE(options.rootfs.has_value());
  EXPECT_FALSE(options.upper.has_value());
  EXPECT_EQ(options.hostname, "");
  EXPECT_EQ(options.clock_ns, 0u);
}

TEST(ParseAgentArgs, ReadsEveryOption) {
  AgentOptions options =
      parse_args_ok({"--channel-fd=3", "--rootfs=erofs:msb-root", "--upper=ext4:msb-upper",
                     "--hostname=626f782d31", "--clock-ns=18446744073709551615", "--exit-at-init"});
  EXPECT_EQ(options.channel_fd, 3);
  ASSERT_TRUE(options.rootfs.has_value());
  EXPECT_EQ(options.rootfs->fstype, "erofs");
  EXPECT_EQ(options.rootfs->serial, "msb-root");
  ASSERT_TRUE(options.upper.has_value());
  EXPECT_EQ(options.upper->fstype, "ext4");
  EXPECT_EQ(options.upper->serial, "msb-upper");
  EXPECT_EQ(options.hostname, "box-1");
  EXPECT_EQ(options.clock_ns, 18446744073709551615ull);
  EXPECT_TRUE(options.exit_at_init);
}

TEST(ParseAgentArgs, SerialMayContainColons) {
  AgentOptions options = parse_args_ok({"--rootfs=ext4:a:b"});
  ASSERT_TRUE(options.rootfs.has_value());
  EXPECT_EQ(options.rootfs->fstype, "ext4");
  EXPECT_EQ(options.rootfs->serial, "a:b");
}

TEST(ParseAgentArgs, LaterValueWins) {
  EXPECT_EQ(parse_args_ok({"--hostname=61", "--hostname=62"}).hostname, "b");
}

TEST(ParseAgentArgs, RejectsBadValues) {
  std::vector<std::string> bad = {
      "--channel-fd=",   "--channel-fd=abc", "--channel-fd=3x",
      "--channel-fd=-1", "--channel-fd",     "--channel-fd=99999999999",
      "--clock-ns=-5",   "--clock-ns=1e9",   "--clock-ns= 1",
      "--rootfs=ext4",   "--rootfs=:serial", "--rootfs=ext4:",
      "--rootfs",        "--upper=",
  };
  for (const std::string& arg : bad) {
    Result<AgentOptions> options = parse_agent_args({"--rootfs=ext4:root", arg});
    ASSERT_FALSE(options.has_value()) << arg;
    EXPECT_EQ(options.error().kind, ErrorKind::kInvalidArgument) << arg;
    EXPECT_FALSE(options.error().message.empty());
  }
}

TEST(ParseAgentArgs, RejectsUnknownOptionsAndBareWords) {
  for (std::string arg :
       {"--verbose", "--channel_fd=3", "channel-fd=3", "-channel-fd=3", "", "--"}) {
    Result<AgentOptions> options = parse_agent_args({arg});
    ASSERT_FALSE(options.has_value()) << "'" << arg << "'";
    EXPECT_EQ(options.error().kind, ErrorKind::kInvalidArgument);
  }
  Result<AgentOptions> options = parse_agent_args({"--frobnicate=1"});
  ASSERT_FALSE(options.has_value());
  EXPECT_NE(options.error().message.find("frobnicate"), std::string::npos);
}

TEST(ParseAgentArgs, UpperNeedsRootfs) {
  Result<AgentOptions> options = parse_agent_args({"--upper=ext4:u"});
  ASSERT_FALSE(options.has_value());
  EXPECT_EQ(options.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_NE(options.error().message.find("upper"), std::string::npos);
  // Order does not matter: the rule is checked once everything is read.
  EXPECT_TRUE(parse_agent_args({"--upper=ext4:u", "--rootfs=erofs:r"}).has_value());
  EXPECT_TRUE(parse_agent_args({"--rootfs=erofs:r"}).has_value());
}

TEST(ParseAgentArgs, VolatileUpperNeedsUpper) {
  Result<AgentOptions> options = parse_agent_args({"--rootfs=erofs:r", "--volatile-upper"});
  ASSERT_FALSE(options.has_value());
  EXPECT_EQ(options.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_NE(options.error().message.find("volatile-upper"), std::string::npos);
  Result<AgentOptions> both =
      parse_agent_args({"--volatile-upper", "--rootfs=erofs:r", "--upper=ext4:u"});
  ASSERT_TRUE(both.has_value()) << both.error().message;
  EXPECT_TRUE(both->volatile_upper);
  EXPECT_FALSE(parse_agent_args({"--rootfs=erofs:r", "--upper=ext4:u"})->volatile_upper);
}

TEST(ParseKernelCmdline, ReadsATmpfsUpper) {
  AgentOptions options = parse_cmdline_ok("quiet msb.rootfs=erofs:r msb.upper-tmpfs=268435456\n");
  EXPECT_EQ(options.upper_tmpfs_bytes, 268435456u);
  EXPECT_FALSE(options.upper.has_value());
  EXPECT_EQ(parse_cmdline_ok("msb.rootfs=erofs:r").upper_tmpfs_bytes, 0u);
}

TEST(ParseAgentArgs, TmpfsUpperIsStrict) {
  EXPECT_EQ(parse_agent_args({"--rootfs=erofs:r", "--upper-tmpfs=1048576"})->upper_tmpfs_bytes,
            1048576u);
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"--rootfs=erofs:r", "--upper-tmpfs=0"},
           {"--rootfs=erofs:r", "--upper-tmpfs="},
           {"--rootfs=erofs:r", "--upper-tmpfs"},
           {"--rootfs=erofs:r", "--upper-tmpfs=-1"},
           {"--rootfs=erofs:r", "--upper-tmpfs=1G"},
           {"--rootfs=erofs:r", "--upper-tmpfs=99999999999999999999999"},
           {"--rootfs=erofs:r", "--upper-tmpfs=1,mode=777"},
           {"--upper-tmpfs=1048576"},  // no lower layer
           {"--rootfs=erofs:r", "--upper=ext4:u", "--upper-tmpfs=1048576"},
           {"--rootfs=erofs:r", "--upper-tmpfs=1048576", "--volatile-upper"},
       }) {
    Result<AgentOptions> options = parse_agent_args(args);
    ASSERT_FALSE(options.has_value()) << args.back();
    EXPECT_EQ(options.error().kind, ErrorKind::kInvalidArgument);
  }
}

TEST(ParseKernelCmdline, ReadsVolatileUpper) {
  AgentOptions options =
      parse_cmdline_ok("quiet msb.rootfs=erofs:r msb.upper=ext4:u msb.volatile-upper\n");
  EXPECT_TRUE(options.volatile_upper);
  EXPECT_FALSE(parse_cmdline_ok("msb.rootfs=erofs:r msb.upper=ext4:u").volatile_upper);
}

TEST(ParseKernelCmdline, ReadsMsbWordsAndSkipsKernelWords) {
  AgentOptions options = parse_cmdline_ok(
      "console=hvc0 quiet msb.rootfs=erofs:root msb.upper=ext4:upper root=/dev/vda "
      "msb.hostname=766d msb.clock-ns=1700000000000000000 panic=-1 msb.exit-at-init\n");
  ASSERT_TRUE(options.rootfs.has_value());
  EXPECT_EQ(options.rootfs->fstype, "erofs");
  EXPECT_EQ(options.rootfs->serial, "root");
  ASSERT_TRUE(options.upper.has_value());
  EXPECT_EQ(options.upper->serial, "upper");
  EXPECT_EQ(options.hostname, "vm");
  EXPECT_EQ(options.clock_ns, 1700000000000000000ull);
  EXPECT_TRUE(options.exit_at_init);
  EXPECT_EQ(options.channel_fd, -1);
}

TEST(ParseKernelCmdline, ToleratesExtraWhitespaceAndEmptyLine) {
  AgentOptions options = parse_cmdline_ok("  msb.hostname=61\t\tquiet  \n");
  EXPECT_EQ(options.hostname, "a");
  EXPECT_FALSE(parse_cmdline_ok("").rootfs.has_value());
  EXPECT_EQ(parse_cmdline_ok("\n").hostname, "");
}

TEST(ParseKernelCmdline, IgnoresWordsThatOnlyLookSimilar) {
  AgentOptions options = parse_cmdline_ok("msbx.hostname=61 xmsb.hostname=62 MSB.hostname=63");
  EXPECT_EQ(options.hostname, "");
}

TEST(ParseKernelCmdline, RejectsBadValuesAndUnknownKeys) {
  for (std::string_view cmdline : {"msb.rootfs=ext4", "msb.clock-ns=soon", "msb.upper=:x",
                                   "quiet msb.frobnicate=1", "msb.", "msb.=1"}) {
    Result<AgentOptions> options = parse_kernel_cmdline(cmdline);
    ASSERT_FALSE(options.has_value()) << cmdline;
    EXPECT_EQ(options.error().kind, ErrorKind::kInvalidArgument) << cmdline;
  }
}

// Hostnames may hold any byte (config/validate.h): the host sends their hex, and every
// one of these comes back exactly, whichever form carried it.
TEST(ParseKernelCmdline, HostnamesRoundTripThroughHex) {
  std::string every_nonzero_byte;
  for (int byte = 1; byte < 256; ++byte) every_nonzero_byte += static_cast<char>(byte);
  for (const std::string& hostname :
       {"a init=/bin/sh"s, "a b"s, "x=y"s, "\"quoted\" 'single'"s, "line\nbreak\ttab"s,
        std::string(64, '\xff'), "caf\xc3\xa9"s, every_nonzero_byte.substr(0, 64),
        every_nonzero_byte.substr(64, 64), every_nonzero_byte.substr(128, 64),
        every_nonzero_byte.substr(192), "\x00"s, "a"s}) {
    std::string hex = hex_encode(hostname);
    AgentOptions from_cmdline =
        parse_cmdline_ok("console=ttyS0 msb.rootfs=erofs:rootfs msb.hostname=" + hex + " quiet");
    EXPECT_EQ(from_cmdline.hostname, hostname) << hex;
    EXPECT_EQ(parse_args_ok({"--hostname=" + hex}).hostname, hostname) << hex;
  }
}

TEST(ParseKernelCmdline, RejectsAHostnameThatIsNotHexOfOneTo64Bytes) {
  std::vector<std::string> bad = {
      "msb.hostname=",                           // no bytes
      "msb.hostname=6",                          // odd length
      "msb.hostname=626f7",                      // odd length
      "msb.hostname=626F78",                     // upper case
      "msb.hostname=box",                        // raw text, as hosts before hex sent
      "msb.hostname=a\"b\"",                     // quotes
      "msb.hostname=61=62",                      // '='
      "msb.hostname=0x61",                       // prefix
      "msb.hostname=" + std::string(130, 'a'),   // 65 bytes
      "msb.hostname=" + std::string(1000, '0'),  // 500 bytes
  };
  for (const std::string& cmdline : bad) {
    Result<AgentOptions> options = parse_kernel_cmdline(cmdline);
    ASSERT_FALSE(options.has_value()) << cmdline;
    EXPECT_EQ(options.error().kind, ErrorKind::kInvalidArgument) << cmdline;
    EXPECT_EQ(options.error().message.rfind("hostname: ", 0), 0u) << options.error().message;
    std::string arg = "--" + cmdline.substr(4);
    EXPECT_FALSE(parse_agent_args({arg}).has_value()) << arg;
  }
  EXPECT_EQ(parse_cmdline_ok("msb.hostname=" + std::string(128, 'a')).hostname,
            std::string(64, '\xaa'));
}

// What a raw hostname "a init=/bin/sh" would have done: the kernel's own words are not
// ours to read, and the agent never takes a second word for part of the hostname.
TEST(ParseKernelCmdline, WordsAfterTheHostnameAreNotPartOfIt) {
  AgentOptions options = parse_cmdline_ok("msb.hostname=61 init=/bin/sh");
  EXPECT_EQ(options.hostname, "a");
}

TEST(ParseKernelCmdline, RejectsChannelFd) {
  for (std::string_view cmdline : {"msb.channel-fd=3", "msb.channel-fd=-1"}) {
    Result<AgentOptions> options = parse_kernel_cmdline(cmdline);
    ASSERT_FALSE(options.has_value()) << cmdline;
    EXPECT_EQ(options.error().kind, ErrorKind::kInvalidArgument);
  }
}

TEST(ParseKernelCmdline, UpperNeedsRootfs) {
  Result<AgentOptions> options = parse_kernel_cmdline("msb.upper=ext4:u");
  ASSERT_FALSE(options.has_value());
  EXPECT_EQ(options.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_TRUE(parse_kernel_cmdline("msb.upper=ext4:u msb.rootfs=erofs:r").has_value());
}

// Volumes, in both forms: one word each, in the order the host gave them.
TEST(ParseVolumes, ReadsVolumesAndTmpfsInOrder) {
  std::string data = hex_encode("/data");
  std::string conf = hex_encode("/etc/app.conf");
  std::string scratch = hex_encode("/scratch dir");
  AgentOptions options = parse_cmdline_ok(
      "console=ttyS0 msb.volume=msbvol0/0:ro:" + data + " msb.tmpfs=1048576:noexec:" + scratch +
      " msb.volume=msbvol2/17:ro+noexec+file:" + conf + " virtio_mmio.device=512@0x1:12");
  ASSERT_EQ(options.volumes.size(), 3u);
  EXPECT_EQ(options.volumes[0].kind, VolumeMount::Kind::kVirtiofs);
  EXPECT_EQ(options.volumes[0].tag, "msbvol0");
  EXPECT_EQ(options.volumes[0].entry, "0");
  EXPECT_EQ(options.volumes[0].target, "/data");
  EXPECT_TRUE(options.volumes[0].read_only);
  EXPECT_FALSE(options.volumes[0].noexec);
  EXPECT_EQ(options.volumes[1].kind, VolumeMount::Kind::kTmpfs);
  EXPECT_EQ(options.volumes[1].size_bytes, 1048576u);
  EXPECT_EQ(options.volumes[1].target, "/scratch dir");
  EXPECT_TRUE(options.volumes[1].noexec);
  EXPECT_FALSE(options.volumes[1].read_only);
  EXPECT_EQ(options.volumes[2].kind, VolumeMount::Kind::kVirtiofsFile);
  EXPECT_EQ(options.volumes[2].entry, "17");
  EXPECT_EQ(options.volumes[2].target, "/etc/app.conf");
  EXPECT_TRUE(options.volumes[2].read_only && options.volumes[2].noexec);
}

TEST(ParseVolumes, Reads9pShares) {
  AgentOptions options = parse_cmdline_ok("msb.volume=msb9p0:ro+9p:" + hex_encode("/d"));
  ASSERT_EQ(options.volumes.size(), 1u);
  EXPECT_EQ(options.volumes[0].kind, VolumeMount::Kind::k9p);
  EXPECT_TRUE(options.volumes[0].read_only);
}

TEST(ParseVolumes, ArgvFormMatches) {
  AgentOptions options = parse_args_ok(
      {"--channel-fd=3", "--volume=v1/3:-:" + hex_encode("/a"), "--tmpfs=0:-:" + hex_encode("/b")});
  ASSERT_EQ(options.volumes.size(), 2u);
  EXPECT_EQ(options.volumes[0].tag, "v1");
  EXPECT_FALSE(options.volumes[0].read_only);
  EXPECT_EQ(options.volumes[1].size_bytes, 0u);
  EXPECT_EQ(options.volumes[1].target, "/b");
}

TEST(ParseVolumes, ReadsDisks) {
  AgentOptions options = parse_cmdline_ok("msb.disk=msbdisk3/ext4:ro+noexec:" + hex_encode("/d"));
  ASSERT_EQ(options.volumes.size(), 1u);
  EXPECT_EQ(options.volumes[0].kind, VolumeMount::Kind::kDisk);
  EXPECT_EQ(options.volumes[0].tag, "msbdisk3");
  EXPECT_EQ(options.volumes[0].fstype, "ext4");
  EXPECT_TRUE(options.volumes[0].read_only && options.volumes[0].noexec);
  EXPECT_EQ(options.volumes[0].target, "/d");
  std::string d = hex_encode("/d");
  for (const std::string& word : {"msb.disk=msbdisk3:-:" + d,          // no fstype
                                  "msb.disk=msbdisk3/xfs:-:" + d,      // not one we mount
                                  "msb.disk=a.b/ext4:-:" + d,          // serial with a dot
                                  "msb.disk=msbdisk3/ext4:file:" + d,  // file is for shares
                                  "msb.disk=msbdisk3/ext4:9p:" + d}) {
    EXPECT_FALSE(parse_kernel_cmdline(word).has_value()) << word;
  }
}

// Hostile or broken words are refused whole: a guest never mounts something half-parsed.
TEST(ParseVolumes, RejectsMalformedWords) {
  std::string data = hex_encode("/data");
  for (const std::string& word : std::vector<std::string>{
           "msb.volume=msbvol0/0:ro"s,                           // two fields
           "msb.volume=msbvol0:-:" + data,                       // virtiofs without an entry
           "msb.volume=msbvol0/:-:" + data,                      // empty entry
           "msb.volume=msbvol0/x:-:" + data,                     // entry not a number
           "msb.volume=msbvol0/123456:-:" + data,                // entry too long
           "msb.volume=msbvol0/1:9p:" + data,                    // 9p with an entry
           "msb.volume=msbvol0/0"s,                              // one field
           "msb.volume=:ro:" + data,                             // no tag
           "msb.volume=a.b:ro:" + data,                          // tag with a dot
           "msb.volume=" + std::string(37, 'a') + ":-:" + data,  // tag too long
           "msb.volume=msbvol0/0::" + data,                      // empty flags
           "msb.volume=msbvol0/0:rw:" + data,                    // unknown flag
           "msb.volume=msbvol0/0:ro+:" + data,                   // dangling '+'
           "msb.tmpfs=1:file:" + data,                           // file is for shares only
           "msb.tmpfs=1:9p:" + data,                             // so is 9p
           "msb.volume=msbvol0/0:file+9p:" + data,               // one kind only
           "msb.volume=msbvol0/0:file+file:" + data,             // twice
           "msb.tmpfs=x:-:" + data,                              // size not a number
           "msb.tmpfs=-1:-:" + data,                             // negative size
           "msb.volume=msbvol0/0:-:2F64617461",                  // upper-case hex
           "msb.volume=msbvol0/0:-:2f6",                         // odd hex
           "msb.volume=msbvol0/0:-:/data",                       // raw path
           "msb.volume=msbvol0/0:-:" + hex_encode("data"),       // relative
           "msb.volume=msbvol0/0:-:" + hex_encode("/"),          // the root
           "msb.volume=msbvol0/0:-:" + hex_encode("/a/../etc"),  // ..
           "msb.volume=msbvol0/0:-:" + hex_encode("/a//b"),      // not normalized
           "msb.volume=msbvol0/0:-:" + hex_encode("/a/"),        // trailing slash
           "msb.volume=msbvol0/0:-:" + hex_encode("/a\0b"s),     // NUL
           "msb.volume=msbvol0/0:-:",                            // no target
       }) {
    EXPECT_FALSE(parse_kernel_cmdline(word).has_value()) << word;
  }
}

// Whatever bytes a target holds, it comes back exactly (the host sends it as hex).
TEST(ParseVolumes, TargetsRoundTripThroughHex) {
  for (const std::string& target :
       std::vector<std::string>{"/a init=/bin/sh", "/\"x y\"", "/line\nbreak", "/a:b:c", "/ä/ö"}) {
    AgentOptions options = parse_cmdline_ok("msb.tmpfs=1:-:" + hex_encode(target));
    ASSERT_EQ(options.volumes.size(), 1u);
    EXPECT_EQ(options.volumes[0].target, target);
  }
}

}  // namespace
}  // namespace msb::agent
