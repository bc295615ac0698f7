#include "runtime/sandbox_launch.h"

#include <gtest/gtest.h>
#include <signal.h>

#include "os/io.h"
#include "os/system.h"

namespace msb::runtime {
namespace {

config::SandboxConfig sample_config() {
  config::SandboxConfig config;
  config.name = "job";
  config.cpus = 3;
  config.memory_mib = 768;
  config.hostname = "box";
  config.accel = "tcg";
  return config;
}

LaunchPlace sample_place() {
  return LaunchPlace{"/rt", "/rt/console.log", "/run/x", "/sb/upper.ext4", "job-1-2"};
}

TEST(LaunchSpecFor, CarriesTheConfigTheRootAndThePlace) {
  Result<engine::LaunchSpec> spec =
      launch_spec_for(sample_config(), {"/cache/image.erofs"}, sample_place(), true);
  ASSERT_TRUE(spec.has_value()) << spec.error().message;
  EXPECT_EQ(spec->cpus, 3u);
  EXPECT_EQ(spec->memory_mib, 768u);
  EXPECT_EQ(spec->hostname, "box");
  EXPECT_EQ(spec->accel, engine::Accel::kTcg);
  EXPECT_TRUE(spec->ephemeral);
  EXPECT_EQ(spec->rootfs_layers, std::vector<std::string>{"/cache/image.erofs"});
  EXPECT_EQ(spec->runtime_dir, "/rt");
  EXPECT_EQ(spec->console_log, "/rt/console.log");
  EXPECT_EQ(spec->run_dir, "/run/x");
  EXPECT_EQ(spec->writable_layer, "/sb/upper.ext4");
  EXPECT_EQ(spec->instance_name, "job-1-2");
  EXPECT_EQ(spec->timings, nullptr);
}

TEST(LaunchSpecFor, ATmpfsRootDiskReplacesTheWritableLayer) {
  config::SandboxConfig config = sample_config();
  config.root_disk = {config::RootDisk::Kind::kTmpfs, 0};
  Result<engine::LaunchSpec> spec = launch_spec_for(config, {"/l"}, sample_place(), false);
  ASSERT_TRUE(spec.has_value());
  EXPECT_EQ(spec->writable_layer, "");
  EXPECT_EQ(spec->root_tmpfs_bytes, 384u << 20);  // half of the 768 MiB
  config.root_disk.size_bytes = 64u << 20;
  EXPECT_EQ(launch_spec_for(config, {"/l"}, sample_place(), false)->root_tmpfs_bytes, 64u << 20);
}

TEST(LaunchSpecFor, ADiskRootHasNoTmpfs) {
  Result<engine::LaunchSpec> spec = launch_spec_for(sample_config(), {"/l"}, sample_place(), false);
  ASSERT_TRUE(spec.has_value());
  EXPECT_EQ(spec->root_tmpfs_bytes, 0u);
}

TEST(LaunchSpecFor, NoAcceleratorMeansDetect) {
  config::SandboxConfig config = sample_config();
  config.accel = "";
  Result<engine::LaunchSpec> spec = launch_spec_for(config, {"/l"}, sample_place(), false);
  ASSERT_TRUE(spec.has_value());
  EXPECT_FALSE(spec->accel.has_value());
  EXPECT_FALSE(spec->ephemeral);
}

TEST(LaunchSpecFor, AnUnknownAcceleratorIsAnError) {
  config::SandboxConfig config = sample_config();
  config.accel = "hvf";
  Result<engine::LaunchSpec> spec = launch_spec_for(config, {"/l"}, sample_place(), false);
  ASSERT_FALSE(spec.has_value());
  EXPECT_NE(spec.error().message.find("hvf"), std::string::npos) << spec.error().message;
}

TEST(ForwardOutput, WritesEveryByte) {
  Result<os::PipePair> pipe = os::make_pipe();
  ASSERT_TRUE(pipe.has_value());
  ASSERT_TRUE(forward_output(pipe->write.get(), "out\n", "stdout").has_value());
  pipe->write.reset();
  EXPECT_EQ(os::read_to_end(pipe->read.get()).value_or(""), "out\n");
}

TEST(ForwardOutput, AReaderThatWentAwayIsACancelWithSigpipe) {
  os::ignore_signal(SIGPIPE);
  Result<os::PipePair> pipe = os::make_pipe();
  ASSERT_TRUE(pipe.has_value());
  pipe->read.reset();
  Result<void> written = forward_output(pipe->write.get(), "lost", "stderr");
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().kind, ErrorKind::kCancelled);
  EXPECT_EQ(written.error().sys_errno, SIGPIPE);
  EXPECT_EQ(written.error().message, "stderr closed");
}

}  // namespace
}  // namespace msb::runtime
