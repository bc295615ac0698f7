// The public Image API (include/microsandbox/image.h) and the builder's pull progress,
// against local registries: every stage of the progress channel in order, the store
// operations, archives, and the typed errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <stdexcept>

#include "microsandbox/image.h"
#include "microsandbox/sandbox.h"
#include "os/file.h"
#include "scoped_env.h"
#include "sdk_test_util.h"
#include "shared_registry.h"
#include "store/database.h"
#include "store/image_records.h"
#include "store/sandbox_records.h"
#include "test_engine.h"

namespace msb::testing {
namespace {

using microsandbox::ErrorKind;
using microsandbox::Image;
using microsandbox::ImageInfo;
using microsandbox::PullProgress;
using microsandbox::PullStage;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Every event of one pull, in the order the callback saw them.
class ProgressLog {
 public:
  microsandbox::PullProgressCallback callback() {
    return [this](const PullProgress& event) {
      std::lock_guard lock(mutex_);
      events_.push_back(event);
    };
  }
  std::vector<PullProgress> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::vector<PullProgress> of_layer(size_t layer) const {
    std::vector<PullProgress> out;
    for (const PullProgress& event : events()) {
      bool per_layer = event.stage != PullStage::kResolving &&
                       event.stage != PullStage::kResolved && event.stage != PullStage::kComplete;
      if (per_layer && event.layer == layer) out.push_back(event);
    }
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<PullProgress> events_;
};

class ImageApi : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> home = os::TempDir::create("msb-image-api-");
    ASSERT_TRUE(home.has_value());
    home_ = std::make_unique<os::TempDir>(std::move(*home));
    home_env_ = std::make_unique<ScopedEnv>("MSB_HOME", home_->path());
  }
  void TearDown() override {
    for (const microsandbox::SandboxInfo& info : microsandbox::Sandbox::list()) {
      try {
        microsandbox::Sandbox::connect(info.name).kill();
      } catch (const microsandbox::Error&) {
      }
      ASSERT_TRUE(wait_until(
          [&] {
            return microsandbox::Sandbox::get(info.name).status !=
                   microsandbox::SandboxStatus::kRunning;
          },
          std::chrono::seconds(30)));
      microsandbox::Sandbox::remove(info.name);
    }
    home_env_.reset();
    home_.reset();
  }

  static std::string image(const std::string& name) {
    return shared_registry().plain_host() + "/" + name + ":latest";
  }
  static const nlohmann::json& fixture(const std::string& name) {
    return shared_registry().fixtures().at(name);
  }
  const std::string& home() const { return home_->path(); }

 private:
  std::unique_ptr<os::TempDir> home_;
  std::unique_ptr<ScopedEnv> home_env_;
};

TEST_F(ImageApi, PullReportsEveryStageInOrderAndReturnsTheImage) {
  ProgressLog log;
  ImageInfo info = Image::pull(image("multilayer"), {.on_progress = log.callback()});
  const nlohmann::json& layers = fixture("multilayer").at("layers");
  EXPECT_EQ(info.manifest_digest, fixture("multilayer").at("digest"));
  EXPECT_EQ(info.layer_count, layers.size());
  EXPECT_EQ(info.os, "linux");
  EXPECT_EQ(info.architecture, "amd64");
  EXPECT_THAT(info.references, ElementsAre(image("multilayer")));

  std::vector<PullProgress> events = log.events();
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.front().stage, PullStage::kResolving);
  EXPECT_EQ(events.front().reference, image("multilayer"));
  EXPECT_EQ(events[1].stage, PullStage::kResolved);
  EXPECT_EQ(events[1].layer_count, layers.size());
  uint64_t total = 0;
  for (const nlohmann::json& layer : layers) total += layer.at("size").get<uint64_t>();
  EXPECT_EQ(events[1].total_bytes, total);
  EXPECT_EQ(events.back().stage, PullStage::kComplete);
  EXPECT_EQ(events.back().manifest_digest, info.manifest_digest);

  for (size_t i = 0; i < layers.size(); ++i) {
    SCOPED_TRACE("layer " + std::to_string(i));
    std::vector<PullProgress> own = log.of_layer(i);
    ASSERT_GE(own.size(), 3u);
    EXPECT_EQ(own.front().stage, PullStage::kExtracting);
    EXPECT_EQ(own.back().stage, PullStage::kLayerDone);
    uint64_t size = layers[i].at("size").get<uint64_t>();
    uint64_t last = 0;
    for (size_t k = 1; k + 1 < own.size(); ++k) {
      ASSERT_EQ(own[k].stage, PullStage::kLayerBytes);
      EXPECT_GE(own[k].bytes, last);
      EXPECT_EQ(own[k].total_bytes, size);
      last = own[k].bytes;
    }
    EXPECT_EQ(last, size);
  }
}

TEST_F(ImageApi, ASecondPullFindsEveryLayerCached) {
  Image::pull(image("busybox"));
  ProgressLog log;
  Image::pull(image("busybox"), {.on_progress = log.callback()});
  for (const PullProgress& event : log.events()) {
    EXPECT_NE(event.stage, PullStage::kLayerBytes) << "a cached layer was downloaded again";
  }
  std::vector<PullProgress> layer = log.of_layer(0);
  ASSERT_EQ(layer.size(), 2u);
  EXPECT_EQ(layer[0].stage, PullStage::kLayerCached);
  EXPECT_EQ(layer[1].stage, PullStage::kLayerDone);
}

TEST_F(ImageApi, AThrowingCallbackDoesNotStopThePull) {
  ImageInfo info = Image::pull(image("busybox"), {.on_progress = [](const PullProgress&) {
                                 throw std::runtime_error("user bug");
                               }});
  EXPECT_EQ(info.manifest_digest, fixture("busybox").at("digest"));
}

TEST_F(ImageApi, GetListAndInspectShowTheStoredImage) {
  Image::pull(image("busybox"));
  ImageInfo pulled = Image::pull(image("multilayer"));
  EXPECT_EQ(Image::get(image("multilayer")).manifest_digest, pulled.manifest_digest);
  EXPECT_EQ(Image::get(pulled.manifest_digest).references, pulled.references);
  EXPECT_EQ(Image::list().size(), 2u);

  microsandbox::ImageDetail detail = Image::inspect(image("busybox"));
  const nlohmann::json& layers = fixture("busybox").at("layers");
  ASSERT_EQ(detail.layers.size(), layers.size());
  EXPECT_EQ(detail.layers[0].digest, layers[0].at("digest"));
  EXPECT_EQ(detail.layers[0].size, layers[0].at("size").get<uint64_t>());
  EXPECT_THAT(detail.env, Contains("PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
  EXPECT_THAT(detail.cmd, ElementsAre("/bin/sh"));
  EXPECT_EQ(detail.labels.at("fixture"), "busybox");
  EXPECT_THAT(detail.config_json, HasSubstr("\"rootfs\""));
  EXPECT_GT(detail.info.size_bytes, detail.layers[0].size);
}

TEST_F(ImageApi, BadInputAndMissingImagesGiveTypedErrors) {
  EXPECT_EQ(error_of([] { Image::pull("Bad Reference!"); }).kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(error_of([] { Image::get("never/pulled:1"); }).kind(), ErrorKind::kImageNotFound);
  EXPECT_EQ(error_of([] { Image::remove("never/pulled:1"); }).kind(), ErrorKind::kImageNotFound);
  std::string missing_tag = shared_registry().plain_host() + "/busybox:no-such-tag";
  EXPECT_EQ(error_of([&] { Image::pull(missing_tag); }).kind(), ErrorKind::kImageNotFound);
  std::string basic = shared_registry().basic_host() + "/busybox:latest";
  microsandbox::Error denied = error_of([&] { Image::pull(basic); });
  EXPECT_EQ(denied.kind(), ErrorKind::kPermissionDenied) << denied.what();
  EXPECT_TRUE(Image::list().empty()) << "a failed pull stored an image";
}

TEST_F(ImageApi, CreateReportsPullProgressAndImportsTheImageLabels) {
  ProgressLog log;
  microsandbox::Sandbox sandbox = microsandbox::Sandbox::builder("labelled")
                                      .image(image("busybox"))
                                      .isolation(test_isolation())
                                      .label("team", "infra")
                                      .on_pull_progress(log.callback())
                                      .create();
  ASSERT_FALSE(log.events().empty());
  EXPECT_EQ(log.events().back().stage, PullStage::kComplete);
  microsandbox::SandboxInfo info = microsandbox::Sandbox::get("labelled");
  EXPECT_EQ(info.labels.at("fixture"), "busybox");
  EXPECT_EQ(info.labels.at("team"), "infra");
  EXPECT_EQ(sandbox.shell("echo $PATH").stdout_data, "/usr/sbin:/usr/bin:/sbin:/bin\n");

  EXPECT_EQ(error_of([&] { Image::remove(image("busybox")); }).kind(), ErrorKind::kImageInUse);
  EXPECT_TRUE(Image::prune().manifests.empty()) << "prune removed an image in use";
  Image::remove(image("busybox"), /*force=*/true);
  EXPECT_EQ(error_of([&] { Image::get(image("busybox")); }).kind(), ErrorKind::kImageNotFound);
  EXPECT_EQ(sandbox.shell("echo still here").stdout_data, "still here\n");
  sandbox.stop_and_wait();
  microsandbox::Sandbox::remove("labelled");

  microsandbox::ImagePruneReport pruned = Image::prune();
  EXPECT_THAT(pruned.manifests, ElementsAre(fixture("busybox").at("digest").get<std::string>()));
  EXPECT_EQ(pruned.layers_removed, 1u);
  EXPECT_TRUE(os::list_dir(home() + "/cache/layers/sha256").empty());
}

TEST_F(ImageApi, ACreateServedFromTheCacheStillReportsResolvingResolvedAndComplete) {
  ImageInfo pulled = Image::pull(image("multilayer"));
  ProgressLog log;
  microsandbox::Sandbox sandbox = microsandbox::Sandbox::builder("cached")
                                      .image(image("multilayer"))
                                      .isolation(test_isolation())
                                      .on_pull_progress(log.callback())
                                      .create();
  std::vector<PullProgress> events = log.events();
  std::vector<PullStage> stages;
  for (const PullProgress& event : events) stages.push_back(event.stage);
  EXPECT_THAT(stages,
              ElementsAre(PullStage::kResolving, PullStage::kResolved, PullStage::kComplete));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].reference, image("multilayer"));
  EXPECT_EQ(events[1].manifest_digest, pulled.manifest_digest);
  EXPECT_EQ(events[1].layer_count, pulled.layer_count);
  EXPECT_EQ(events[2].manifest_digest, pulled.manifest_digest);

  // The pin is in the stored config, and in the store with how the engine uses the image.
  nlohmann::json config = nlohmann::json::parse(microsandbox::Sandbox::get("cached").config_json);
  EXPECT_EQ(config.value("manifest_digest", ""), pulled.manifest_digest);
  {
    store::Database db = store::Database::open(home() + "/db/msb.db").value();
    std::optional<store::SandboxRecord> record = store::find_sandbox(db, "cached").value();
    ASSERT_TRUE(record.has_value());
    std::optional<store::RootfsPin> pin = store::sandbox_rootfs_pin(db, record->id).value();
    ASSERT_TRUE(pin.has_value());
    EXPECT_EQ(pin->manifest_digest, pulled.manifest_digest);
    EXPECT_EQ(pin->mode, on_vm_engine() ? "erofs" : "layers");
    EXPECT_EQ(pin->upper_fstype, on_vm_engine() ? "ext4" : "");
  }
  sandbox.stop_and_wait();
}

TEST_F(ImageApi, SaveAndLoadRoundTripInBothFormats) {
  ImageInfo pulled = Image::pull(image("multilayer"));
  for (auto format :
       {microsandbox::ImageArchiveFormat::kDocker, microsandbox::ImageArchiveFormat::kOci}) {
    std::string archive = home() + "/saved.tar";
    Image::save({image("multilayer")}, archive, format);
    Image::remove(image("multilayer"));
    std::vector<ImageInfo> loaded = Image::load(archive, "restored/multilayer:1");
    ASSERT_EQ(loaded.size(), 1u);
    EXPECT_EQ(loaded[0].layer_count, pulled.layer_count);
    EXPECT_THAT(loaded[0].references, Contains("docker.io/restored/multilayer:1"));
    Image::remove("restored/multilayer:1");
    Image::pull(image("multilayer"));
  }
  EXPECT_EQ(error_of([&] { Image::load(home() + "/no-such.tar"); }).kind(), ErrorKind::kNotFound);
}

}  // namespace
}  // namespace msb::testing
