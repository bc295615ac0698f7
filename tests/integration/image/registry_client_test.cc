// Resolving and authenticating against local registries.
#include <gtest/gtest.h>

#include <thread>

#include "image/digest.h"
#include "os/file.h"
#include "registry_env.h"

namespace msb::image {
namespace {

const nlohmann::json& fixture(const std::string& name) {
  return shared_registry().fixtures().at(name);
}

TEST(RegistryClient, ResolvesByTag) {
  Reference ref = reference(shared_registry().plain_host() + "/busybox:latest");
  Result<Manifest> manifest = client_for(ref, insecure())->resolve(ref, host_platform());
  ASSERT_TRUE(manifest.has_value()) << manifest.error().message;
  EXPECT_EQ(manifest->digest, fixture("busybox")["digest"]);
  EXPECT_EQ(manifest->config.digest, fixture("busybox")["config"]);
  ASSERT_EQ(manifest->layers.size(), 1u);
  EXPECT_EQ(manifest->layers[0].digest, fixture("busybox")["layers"][0]["digest"]);
}

TEST(RegistryClient, ResolvesByDigestAndRejectsUnknownOnes) {
  std::string digest = fixture("multilayer")["digest"];
  Reference ref = reference(shared_registry().plain_host() + "/multilayer@" + digest);
  std::unique_ptr<RegistryClient> client = client_for(ref, insecure());
  Result<Manifest> manifest = client->resolve(ref, host_platform());
  ASSERT_TRUE(manifest.has_value()) << manifest.error().message;
  EXPECT_EQ(manifest->digest, digest);
  EXPECT_EQ(manifest->layers.size(), 5u);
  EXPECT_EQ(manifest->layers[3].media_type, kOciLayerZstd);
  Reference unknown =
      reference(shared_registry().plain_host() + "/multilayer@sha256:" + std::string(64, '0'));
  Result<Manifest> missing = client->resolve(unknown, host_platform());
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::kImageNotFound);
}

TEST(RegistryClient, UnknownTagIsImageNotFoundWithTheReference) {
  Reference ref = reference(shared_registry().plain_host() + "/busybox:nope");
  Result<Manifest> manifest = client_for(ref, insecure())->resolve(ref, host_platform());
  ASSERT_FALSE(manifest.has_value());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kImageNotFound);
  EXPECT_EQ(manifest.error().message, "pull " + ref.str() + ": manifest unknown");
  Reference no_repo = reference(shared_registry().plain_host() + "/nothing-here:latest");
  EXPECT_EQ(client_for(no_repo, insecure())->resolve(no_repo, host_platform()).error().kind,
            ErrorKind::kImageNotFound);
}

TEST(RegistryClient, SelectsThePlatformFromAnIndex) {
  Reference ref = reference(shared_registry().plain_host() + "/multiarch:latest");
  std::unique_ptr<RegistryClient> client = client_for(ref, insecure());
  const nlohmann::json& entries = fixture("multiarch")["manifests"];
  Result<Manifest> amd64 = client->resolve(ref, Platform{"linux", "amd64", ""});
  ASSERT_TRUE(amd64.has_value()) << amd64.error().message;
  EXPECT_EQ(amd64->digest, entries[0]["digest"]);
  Result<Manifest> arm64 = client->resolve(ref, Platform{"linux", "arm64", "v8"});
  ASSERT_TRUE(arm64.has_value()) << arm64.error().message;
  EXPECT_EQ(arm64->digest, entries[1]["digest"]);
  Result<Manifest> s390x = client->resolve(ref, Platform{"linux", "s390x", ""});
  ASSERT_FALSE(s390x.has_value());
  EXPECT_EQ(s390x.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(s390x.error().message.find("linux/arm64/v8"), std::string::npos);
}

TEST(RegistryClient, FetchesAndVerifiesTheConfig) {
  Reference ref = reference(shared_registry().plain_host() + "/multilayer:latest");
  std::unique_ptr<RegistryClient> client = client_for(ref, insecure());
  Result<Manifest> manifest = client->resolve(ref, host_platform());
  ASSERT_TRUE(manifest.has_value());
  Result<std::string> raw = client->fetch_blob_bytes(manifest->config);
  ASSERT_TRUE(raw.has_value()) << raw.error().message;
  Result<ImageConfig> config = parse_image_config(*raw);
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->diff_ids.size(), manifest->layers.size());
  Descriptor wrong = manifest->config;
  wrong.digest = manifest->layers[0].digest;  // exists, but another size and content
  EXPECT_EQ(client->fetch_blob_bytes(wrong).error().kind, ErrorKind::kIo);
}

TEST(RegistryClient, AnonymousBearerToken) {
  Reference ref = reference(shared_registry().bearer_host() + "/busybox:latest");
  Result<Manifest> manifest = client_for(ref, insecure())->resolve(ref, host_platform());
  ASSERT_TRUE(manifest.has_value()) << manifest.error().message;
  EXPECT_EQ(manifest->digest, fixture("busybox")["digest"]);
  EXPECT_FALSE(shared_registry().proxy_requests("/token?").empty());
}

TEST(RegistryClient, BearerTokenWithCredentialsForPrivateRepositories) {
  Reference ref = reference(shared_registry().bearer_host() + "/private/busybox:latest");
  Result<Manifest> anonymous = client_for(ref, insecure())->resolve(ref, host_platform());
  ASSERT_FALSE(anonymous.has_value());
  EXPECT_EQ(anonymous.error().kind, ErrorKind::kPermissionDenied);
  EXPECT_NE(anonymous.error().message.find("authentication failed for " + ref.registry),
            std::string::npos);
  RegistryOptions options = insecure();
  options.credentials = Credentials{testing::TestRegistry::kUser, testing::TestRegistry::kPassword};
  Result<Manifest> manifest = client_for(ref, options)->resolve(ref, host_platform());
  ASSERT_TRUE(manifest.has_value()) << manifest.error().message;
  options.credentials->password = "wrong";
  Result<Manifest> wrong = client_for(ref, options)->resolve(ref, host_platform());
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().kind, ErrorKind::kPermissionDenied);
  EXPECT_NE(wrong.error().message.find("authentication failed for " + ref.registry),
            std::string::npos);
}

TEST(RegistryClient, BasicAuth) {
  Reference ref = reference(shared_registry().basic_host() + "/busybox:latest");
  RegistryOptions options = insecure();
  options.credentials = Credentials{testing::TestRegistry::kUser, testing::TestRegistry::kPassword};
  std::unique_ptr<RegistryClient> client = client_for(ref, options);
  Result<Manifest> manifest = client->resolve(ref, host_platform());
  ASSERT_TRUE(manifest.has_value()) << manifest.error().message;
  Result<os::TempDir> dir = os::TempDir::create("msb-basic-");
  ASSERT_TRUE(dir.has_value());
  EXPECT_TRUE(client->fetch_blob(manifest->layers[0], dir->path() + "/blob", {}).has_value());
  Result<Manifest> none = client_for(ref, insecure())->resolve(ref, host_platform());
  ASSERT_FALSE(none.has_value());
  EXPECT_NE(none.error().message.find("authentication required for " + ref.registry),
            std::string::npos);
}

TEST(RegistryClient, WrongBasicCredentialsAreAClearAuthError) {
  Reference ref = reference(shared_registry().basic_host() + "/busybox:latest");
  RegistryOptions options = insecure();
  options.credentials = Credentials{testing::TestRegistry::kUser, "wrong"};
  Result<Manifest> manifest = client_for(ref, options)->resolve(ref, host_platform());
  ASSERT_FALSE(manifest.has_value());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kPermissionDenied);
  EXPECT_EQ(manifest.error().message,
            "pull " + ref.str() + ": authentication failed for " + ref.registry);
}

TEST(RegistryClient, PlainHttpRefusedUnlessInsecure) {
  Reference ref = reference(shared_registry().plain_host() + "/busybox:latest");
  Result<Manifest> manifest = client_for(ref)->resolve(ref, host_platform());
  ASSERT_FALSE(manifest.has_value());
  EXPECT_EQ(manifest.error().kind, ErrorKind::kIo);
  EXPECT_NE(manifest.error().message.find("insecure"), std::string::npos)
      << manifest.error().message;
  EXPECT_TRUE(client_for(ref, insecure())->resolve(ref, host_platform()).has_value());
}

TEST(RegistryClient, DownloadsLayersFromSeveralThreads) {
  Reference ref = reference(shared_registry().bearer_host() + "/multilayer:latest");
  std::unique_ptr<RegistryClient> client = client_for(ref, insecure());
  Result<Manifest> manifest = client->resolve(ref, host_platform());
  ASSERT_TRUE(manifest.has_value());
  Result<os::TempDir> dir = os::TempDir::create("msb-threads-");
  ASSERT_TRUE(dir.has_value());
  std::vector<Result<void>> results(manifest->layers.size(), Result<void>{});
  std::vector<uint64_t> last_progress(manifest->layers.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < manifest->layers.size(); ++i) {
    threads.emplace_back([&, i] {
      results[i] = client->fetch_blob(manifest->layers[i], dir->path() + "/" + std::to_string(i),
                                      [&, i](uint64_t bytes) { last_progress[i] = bytes; });
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (size_t i = 0; i < manifest->layers.size(); ++i) {
    ASSERT_TRUE(results[i].has_value()) << results[i].error().message;
    EXPECT_EQ(last_progress[i], static_cast<uint64_t>(manifest->layers[i].size));
    EXPECT_EQ(*sha256_file(dir->path() + "/" + std::to_string(i)), manifest->layers[i].digest);
  }
}

}  // namespace

}  // namespace msb::image
