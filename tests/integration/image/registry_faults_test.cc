// Blob downloads through the fault-injecting proxy: retries, corruption, cut connections,
// Range resume, redirects; and a registry's processes all gone after teardown.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "image/digest.h"
#include "os/file.h"
#include "registry_env.h"

namespace msb::image {
namespace {

class BlobFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-blob-faults-");
    ASSERT_TRUE(dir.has_value());
    dir_.emplace(std::move(*dir));
    ref_ = reference(shared_registry().bearer_host() + "/busybox:latest");
    client_ = client_for(ref_, insecure());
    Result<Manifest> manifest = client_->resolve(ref_, host_platform());
    ASSERT_TRUE(manifest.has_value()) << manifest.error().message;
    layer_ = manifest->layers[0];
    ASSERT_GT(layer_.size, 500'000);
  }
  void TearDown() override { EXPECT_TRUE(shared_registry().set_faults("[]").has_value()); }
  void fault(const std::string& rule) {
    ASSERT_TRUE(shared_registry().set_faults("[" + rule + "]").has_value());
  }
  std::vector<testing::ProxyRequest> layer_requests() const {
    return shared_registry().proxy_requests(layer_.digest);
  }
  std::string partial() const { return dir_->path() + "/partial"; }

  std::optional<os::TempDir> dir_;
  Reference ref_;
  std::unique_ptr<RegistryClient> client_;
  Descriptor layer_;
};

TEST_F(BlobFaults, ServerErrorThenSuccessIsRetried) {
  size_t before = layer_requests().size();
  fault(fmt::format(R"({{"match": "{}", "action": "status", "status": 500, "times": 1}})",
                    layer_.digest));
  Result<void> fetched = client_->fetch_blob(layer_, partial(), {});
  ASSERT_TRUE(fetched.has_value()) << fetched.error().message;
  std::vector<testing::ProxyRequest> requests = layer_requests();
  ASSERT_EQ(requests.size(), before + 2);
  EXPECT_EQ(requests[before].status, 500);
  EXPECT_EQ(requests[before + 1].status, 200);
  EXPECT_EQ(*sha256_file(partial()), layer_.digest);
}

TEST_F(BlobFaults, PersistentServerErrorsGiveUpAfterMaxAttempts) {
  size_t before = layer_requests().size();
  fault(fmt::format(R"({{"match": "{}", "action": "status", "status": 503, "times": -1}})",
                    layer_.digest));
  Result<void> fetched = client_->fetch_blob(layer_, partial(), {});
  ASSERT_FALSE(fetched.has_value());
  EXPECT_NE(fetched.error().message.find("HTTP 503"), std::string::npos) << fetched.error().message;
  EXPECT_EQ(layer_requests().size(), before + RegistryOptions{}.max_attempts);
}

TEST_F(BlobFaults, FlippedByteIsADigestErrorAndThePartialIsRemoved) {
  fault(fmt::format(R"({{"match": "{}", "action": "flip", "offset": 1000, "times": 1}})",
                    layer_.digest));
  Result<void> fetched = client_->fetch_blob(layer_, partial(), {});
  ASSERT_FALSE(fetched.has_value());
  EXPECT_EQ(fetched.error().kind, ErrorKind::kIntegrity);
  EXPECT_NE(
      fetched.error().message.find("digest mismatch: expected " + layer_.digest + ", got sha256:"),
      std::string::npos)
      << fetched.error().message;
  EXPECT_FALSE(os::path_exists(partial()));
  EXPECT_TRUE(client_->fetch_blob(layer_, partial(), {}).has_value());
}

TEST_F(BlobFaults, CutDownloadResumesWithRange) {
  size_t before = layer_requests().size();
  fault(fmt::format(R"({{"match": "{}", "action": "cut", "after": 300000, "times": 1}})",
                    layer_.digest));
  uint64_t last = 0;
  bool monotonic = true;
  Result<void> fetched = client_->fetch_blob(layer_, partial(), [&](uint64_t bytes) {
    monotonic = monotonic && bytes >= last;
    last = bytes;
  });
  ASSERT_TRUE(fetched.has_value()) << fetched.error().message;
  EXPECT_TRUE(monotonic);
  EXPECT_EQ(last, static_cast<uint64_t>(layer_.size));
  std::vector<testing::ProxyRequest> requests = layer_requests();
  ASSERT_EQ(requests.size(), before + 2);
  EXPECT_EQ(requests[before + 1].range, "bytes=300000-");
  EXPECT_EQ(requests[before + 1].status, 206);
  EXPECT_EQ(*sha256_file(partial()), layer_.digest);
}

TEST_F(BlobFaults, PartialFromAnEarlierRunResumesOrRestarts) {
  ASSERT_TRUE(client_->fetch_blob(layer_, partial(), {}).has_value());
  std::string whole = *os::read_file(partial());
  ASSERT_TRUE(os::write_file(partial(), whole.substr(0, 12345)).has_value());
  size_t before = layer_requests().size();
  ASSERT_TRUE(client_->fetch_blob(layer_, partial(), {}).has_value());
  EXPECT_EQ(layer_requests().back().range, "bytes=12345-");
  EXPECT_EQ(layer_requests().size(), before + 1);
  // A server that ignores Range sends the whole blob: the partial is rewritten from 0.
  ASSERT_TRUE(os::write_file(partial(), whole.substr(0, 777)).has_value());
  fault(fmt::format(R"({{"match": "{}", "action": "ignore_range", "times": -1}})", layer_.digest));
  ASSERT_TRUE(client_->fetch_blob(layer_, partial(), {}).has_value());
  EXPECT_EQ(layer_requests().back().status, 200);
  EXPECT_EQ(*sha256_file(partial()), layer_.digest);
  // A complete partial is only verified; a corrupt one is replaced after a failure.
  size_t complete_before = layer_requests().size();
  ASSERT_TRUE(client_->fetch_blob(layer_, partial(), {}).has_value());
  EXPECT_EQ(layer_requests().size(), complete_before);
}

TEST_F(BlobFaults, RedirectToAnotherHostDropsAuthorization) {
  fault(fmt::format(R"({{"match": "{}", "action": "redirect", "times": 1}})", layer_.digest));
  Result<void> fetched = client_->fetch_blob(layer_, partial(), {});
  ASSERT_TRUE(fetched.has_value()) << fetched.error().message;
  std::vector<testing::ProxyRequest> redirected = shared_registry().proxy_requests("/_blob/");
  ASSERT_FALSE(redirected.empty());
  EXPECT_TRUE(redirected.back().host.starts_with("localhost:"));
  EXPECT_FALSE(redirected.back().authorization);
  EXPECT_EQ(*sha256_file(partial()), layer_.digest);
}

TEST(TestRegistryLifecycle, StopsEveryProcessItStarted) {
  std::string dir;
  {
    Result<std::unique_ptr<testing::TestRegistry>> registry =
        testing::TestRegistry::start(/*push=*/false);
    ASSERT_TRUE(registry.has_value()) << registry.error().message;
    dir = (*registry)->dir();
    EXPECT_EQ(testing::processes_mentioning(dir).size(), 3u);
  }
  EXPECT_TRUE(testing::processes_mentioning(dir).empty());
  EXPECT_FALSE(os::path_exists(dir));
}

}  // namespace
}  // namespace msb::image
