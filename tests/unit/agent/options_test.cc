#include "agent/options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace msb::agent {
namespace {

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
                     "--hostname=box-1", "--clock-ns=18446744073709551615", "--exit-at-init"});
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
  EXPECT_EQ(parse_args_ok({"--hostname=a", "--hostname=b"}).hostname, "b");
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

TEST(ParseKernelCmdline, ReadsVolatileUpper) {
  AgentOptions options =
      parse_cmdline_ok("quiet msb.rootfs=erofs:r msb.upper=ext4:u msb.volatile-upper\n");
  EXPECT_TRUE(options.volatile_upper);
  EXPECT_FALSE(parse_cmdline_ok("msb.rootfs=erofs:r msb.upper=ext4:u").volatile_upper);
}

TEST(ParseKernelCmdline, ReadsMsbWordsAndSkipsKernelWords) {
  AgentOptions options = parse_cmdline_ok(
      "console=hvc0 quiet msb.rootfs=erofs:root msb.upper=ext4:upper root=/dev/vda "
      "msb.hostname=vm msb.clock-ns=1700000000000000000 panic=-1 msb.exit-at-init\n");
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
  AgentOptions options = parse_cmdline_ok("  msb.hostname=a\t\tquiet  \n");
  EXPECT_EQ(options.hostname, "a");
  EXPECT_FALSE(parse_cmdline_ok("").rootfs.has_value());
  EXPECT_EQ(parse_cmdline_ok("\n").hostname, "");
}

TEST(ParseKernelCmdline, IgnoresWordsThatOnlyLookSimilar) {
  AgentOptions options = parse_cmdline_ok("msbx.hostname=a xmsb.hostname=b MSB.hostname=c");
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

}  // namespace
}  // namespace msb::agent
