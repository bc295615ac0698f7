// OCI images end to end: `msb pull`, `msb run IMAGE`, `msb create IMAGE`, `msb image ...`
// against local registries (tests/support/test_registry.h), with the engine under test.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "msb_harness.h"
#include "os/run_command.h"
#include "shared_registry.h"
#include "wait_until.h"

namespace msb::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class MsbImage : public ::testing::Test {
 protected:
  void TearDown() override {
    EXPECT_TRUE(harness_.wait_no_qemu(std::chrono::seconds(5))) << "an engine process was left";
    EXPECT_TRUE(harness_.leftover_run_dirs().empty()) << "a runtime directory was left behind";
  }
  static TestRegistry& registry() { return shared_registry(); }
  static std::string image(const std::string& name) {
    return registry().plain_host() + "/" + name + ":latest";
  }
  static std::string digest_of(const std::string& fixture) {
    return registry().fixtures().at(fixture).at("digest");
  }
  MsbResult run_in(const std::string& reference, const std::string& script) {
    return harness_.run({"run", "-q", reference, "--", "sh", "-c", script});
  }

  MsbHarness harness_;
};

TEST_F(MsbImage, RunPullsTheImageAndRunsInIt) {
  MsbResult result = run_in(image("busybox"), "cat /etc/passwd | head -1; id -u");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "root:x:0:0:root:/root:/bin/sh\n0\n");
  MsbResult listed = harness_.run({"image", "ls", "-q"});
  EXPECT_EQ(listed.out, digest_of("busybox") + "\n") << listed.err;
}

TEST_F(MsbImage, LayersApplyInOrderWithWhiteoutsOpaqueDirsAndEveryFileKind) {
  MsbResult result = run_in(
      image("multilayer"),
      "test -e /etc/deleted.txt && echo deleted-present; ls /data/dir; cat /zstd/hello.txt "
      "/plain.txt /data/link; stat -c '%a %u %g %h' /data/setuid /data/private /data/hard-a; "
      "stat -c '%F %t,%T' /data/null /data/fifo; readlink /data/abs-link");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "new.txt\n"
            "from a zstd layer\nfrom an uncompressed layer\nkept\n"
            "4755 0 0 1\n600 1000 1001 1\n644 0 0 2\n"
            "character special file 1,3\nfifo 0,0\n"
            "/etc/passwd\n");
}

TEST_F(MsbImage, AMultiPlatformIndexRunsTheHostsPlatform) {
  MsbResult result = run_in(image("multiarch"), "test -e /arch.txt && echo arm64; id -u");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "0\n");
  MsbResult inspected = harness_.run({"image", "inspect", image("multiarch")});
  EXPECT_THAT(inspected.out, HasSubstr("amd64")) << inspected.err;
}

// Regular files under /payload and their total size, as `find` sees them in the sandbox
// and as the layer tars of the fixture hold them.
constexpr const char* kPayloadFilesScript =
    "find /payload -type f -exec stat -c %s {} + | awk '{n++; s+=$1} END {print n, s}'";
constexpr const char* kLayoutFilesScript = R"(
import json, os, sys, tarfile
layout = sys.argv[1]
blobs = os.path.join(layout, "blobs", "sha256")
index = json.load(open(os.path.join(layout, "index.json")))
manifest = json.load(open(os.path.join(blobs, index["manifests"][0]["digest"][7:])))
files = {}
for layer in manifest["layers"]:
    with tarfile.open(os.path.join(blobs, layer["digest"][7:])) as tar:
        for member in tar:
            if member.isfile() and member.name.lstrip("./").startswith("payload/"):
                files[member.name] = member.size
print(len(files), sum(files.values()))
)";

TEST_F(MsbImage, TheLargeImageRunsWithEveryFile) {
  Result<void> pushed = registry().push_large();
  ASSERT_TRUE(pushed.has_value()) << pushed.error().message;
  Result<std::string> expected =
      os::run_command({"python3", "-c", kLayoutFilesScript, registry().fixture_dir() + "/large"});
  ASSERT_TRUE(expected.has_value()) << expected.error().message;
  MsbResult result = run_in(image("large"), kPayloadFilesScript);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, *expected);
  EXPECT_GE(std::stoull(expected->substr(expected->find(' ') + 1)), 200ull << 20);
}

TEST_F(MsbImage, ImageConfigGivesTheDefaultCommand) {
  // The fixtures' cmd is /bin/sh: with no command the image's runs (and reads no stdin).
  MsbResult result = harness_.run({"run", "-q", image("busybox")});
  EXPECT_EQ(result.exit_code, 0) << result.err;
}

TEST_F(MsbImage, PullPrintsProgressLinesAndQuietPrintsTheDigest) {
  MsbResult pulled = harness_.run({"pull", image("multilayer")});
  EXPECT_EQ(pulled.exit_code, 0) << pulled.err;
  EXPECT_THAT(pulled.err, HasSubstr("resolved sha256:"));
  EXPECT_THAT(pulled.err, HasSubstr("5 layers"));
  EXPECT_THAT(pulled.err, HasSubstr("layer 5/5: done"));
  MsbResult quiet = harness_.run({"pull", "-q", image("multilayer")});
  EXPECT_EQ(quiet.out, digest_of("multilayer") + "\n") << quiet.err;
  EXPECT_EQ(quiet.err, "");
}

TEST_F(MsbImage, NeverPolicyWithoutAStoredImageFailsBeforeAnythingIsCreated) {
  MsbResult result = harness_.run({"create", "--pull", "never", "-n", "job", image("busybox")});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("pull policy is 'never'"));
  EXPECT_EQ(harness_.run({"ls", "-q"}).out, "");
}

TEST_F(MsbImage, BadReferencesAndUnknownImagesAreClearErrors) {
  MsbResult bad = harness_.run({"pull", "Bad Reference!"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  MsbResult missing = harness_.run({"pull", registry().plain_host() + "/nothing-here:latest"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.err, HasSubstr("nothing-here"));
}

TEST_F(MsbImage, InUseImageIsKeptUnlessForcedAndPruneSparesIt) {
  std::string reference = image("busybox");
  MsbResult created = harness_.run({"create", "-q", "-n", "user", reference});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  MsbResult refused = harness_.run({"image", "rm", reference});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("used by sandbox(es) user"));
  EXPECT_EQ(harness_.run({"image", "prune"}).exit_code, 0);
  MsbResult still = harness_.run({"exec", "user", "--", "cat", "/etc/group"});
  EXPECT_EQ(still.exit_code, 0) << still.err;
  EXPECT_THAT(still.out, HasSubstr("root:x:0:"));

  MsbResult forced = harness_.run({"image", "rm", "-f", reference});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  // The sandbox keeps its pinned image: it restarts after the reference is gone.
  ASSERT_EQ(harness_.run({"stop", "user"}).exit_code, 0);
  MsbResult again = harness_.run({"exec", "user", "--", "echo", "still here"});
  EXPECT_EQ(again.out, "still here\n") << again.err;
  ASSERT_EQ(harness_.run({"rm", "-f", "user"}).exit_code, 0);
  MsbResult pruned = harness_.run({"image", "prune"});
  EXPECT_THAT(pruned.out, HasSubstr("1 images, 1 layers removed"));
  EXPECT_EQ(harness_.run({"image", "ls", "-q"}).out, "");
}

TEST_F(MsbImage, APullKilledMidwayResumesWhereItStopped) {
  std::string reference = registry().bearer_host() + "/busybox:latest";
  const nlohmann::json& layer = registry().fixtures().at("busybox").at("layers").at(0);
  std::string digest = layer.at("digest");
  uint64_t half = layer.at("size").get<uint64_t>() / 2;
  ASSERT_TRUE(registry()
                  .set_faults(fmt::format(
                      R"([{{"match": "{}", "action": "stall", "after": {}, "seconds": 120}}])",
                      digest, half))
                  .has_value());
  os::ChildProcess pull = harness_.start({"pull", "-q", reference});
  std::string partial = harness_.home() + "/cache/blobs/partial/" + digest.substr(7);
  bool stalled = wait_until(
      [&] {
        Result<std::string> got = os::read_file(partial);
        return got && got->size() == half;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(100));
  ASSERT_TRUE(stalled) << "the pull never reached the stall: " << harness_.started_stderr();
  ASSERT_TRUE(pull.kill_and_wait().has_value());
  ASSERT_TRUE(registry().set_faults("[]").has_value());

  MsbResult resumed = harness_.run({"pull", "-q", reference});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(resumed.out, digest_of("busybox") + "\n");
  std::vector<ProxyRequest> requests = registry().proxy_requests(digest);
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests.back().range, fmt::format("bytes={}-", half));
  EXPECT_EQ(requests.back().status, 206);
  EXPECT_FALSE(os::path_exists(partial));
}

TEST_F(MsbImage, TwoConcurrentPullsFetchEachBlobOnce) {
  std::string reference = registry().bearer_host() + "/multilayer:latest";
  size_t before = registry().proxy_requests("/blobs/").size();
  std::vector<MsbResult> results(2);
  std::vector<std::thread> pulls;
  for (MsbResult& result : results) {
    pulls.emplace_back([&] { result = harness_.run({"pull", "-q", reference}); });
  }
  for (std::thread& pull : pulls) pull.join();
  for (const MsbResult& result : results) EXPECT_EQ(result.exit_code, 0) << result.err;
  std::vector<ProxyRequest> requests = registry().proxy_requests("/blobs/");
  std::map<std::string, int> fetched;
  for (size_t i = before; i < requests.size(); ++i) {
    if (requests[i].method == "GET" && requests[i].status == 200) ++fetched[requests[i].path];
  }
  EXPECT_EQ(fetched.size(), 6u);  // config + 5 layers
  for (const auto& [path, count] : fetched) EXPECT_EQ(count, 1) << path;
}

}  // namespace
}  // namespace msb::testing
