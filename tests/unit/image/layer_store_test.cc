#include "image/layer_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "flock_waiters.h"
#include "os/child_process.h"
#include "os/file.h"
#include "os/file_status.h"
#include "os/system.h"
#include "tar_builder.h"
#include "wait_until.h"

namespace msb::image {
namespace {

using testing::TarBuilder;

class LayerStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-layer-store-test-");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
    Result<LayerStore> store = LayerStore::open(dir_->path() + "/cache");
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_.emplace(std::move(*store));
    tar_ = TarBuilder().dir("etc").file("etc/hostname", "box").build();
    diff_id_ = testing::sha256_of(tar_);
    blob_ = dir_->path() + "/blob";
    ASSERT_TRUE(
        os::write_file(blob_, testing::compress(tar_, testing::Compression::kGzip)).has_value());
  }

  Result<std::string> ensure(const std::function<void(uint64_t)>& progress = nullptr) {
    return store_->ensure_unpacked(diff_id_, blob_, progress);
  }
  std::vector<std::string> leftovers() const {
    return os::list_dir(dir_->path() + "/cache/layers/tmp");
  }

  std::optional<os::TempDir> dir_;
  std::optional<LayerStore> store_;
  std::string tar_, diff_id_, blob_;
};

TEST_F(LayerStoreTest, UnpacksOnceAndPublishesByDiffId) {
  EXPECT_FALSE(store_->contains(diff_id_));
  Result<std::string> path = ensure();
  ASSERT_TRUE(path.has_value()) << path.error().message;
  EXPECT_EQ(*path, store_->path(diff_id_));
  EXPECT_EQ(os::read_file(*path + "/etc/hostname").value_or(""), "box");
  EXPECT_EQ(os::lstat_path(*path).value().mode & 07777, 0755u);
  int progress_calls = 0;
  ASSERT_TRUE(ensure([&](uint64_t) { ++progress_calls; }).has_value());
  EXPECT_EQ(progress_calls, 0);  // found, not unpacked again
  EXPECT_EQ(store_->list().value(), std::vector<std::string>{diff_id_});
  EXPECT_TRUE(leftovers().empty());
}

TEST_F(LayerStoreTest, WrongDiffIdPublishesNothing) {
  std::string wrong = testing::sha256_of("other");
  Result<std::string> path = store_->ensure_unpacked(wrong, blob_, nullptr);
  ASSERT_FALSE(path.has_value());
  EXPECT_EQ(path.error().kind, ErrorKind::kIntegrity);
  EXPECT_NE(path.error().message.find("diff_id mismatch"), std::string::npos);
  EXPECT_FALSE(store_->contains(wrong));
  EXPECT_TRUE(store_->list().value().empty());
  EXPECT_TRUE(leftovers().empty());
  EXPECT_EQ(store_->ensure_unpacked("sha256:bad", blob_, nullptr).error().kind,
            ErrorKind::kInvalidArgument);
}

TEST_F(LayerStoreTest, ConcurrentThreadsUnpackOnce) {
  std::atomic<int> unpackers{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      bool counted = false;
      Result<std::string> path = ensure([&](uint64_t) {
        if (!counted) ++unpackers;
        counted = true;
      });
      if (!path || os::read_file(*path + "/etc/hostname").value_or("") != "box") ++failures;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(unpackers.load(), 1);
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(LayerStoreTest, TwoProcessesUnpackOnce) {
  std::string counter = dir_->path() + "/unpacks";
  auto body = [&] {
    bool counted = false;
    Result<std::string> path = ensure([&](uint64_t) {
      if (!counted) (void)os::write_file(counter, os::read_file(counter).value_or("") + "x");
      // The first unpack goes on once the other process queues on the layer's lock.
      if (!counted &&
          !msb::testing::wait_until(
              [&] { return msb::testing::flock_waiters_in(dir_->path() + "/cache/locks") >= 1; },
              std::chrono::seconds(30), std::chrono::milliseconds(5)))
        os::exit_now(3);
      counted = true;
    });
    return path ? 0 : 1;
  };
  Result<os::ChildProcess> first = os::ChildProcess::fork_and_run(body);
  Result<os::ChildProcess> second = os::ChildProcess::fork_and_run(body);
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_TRUE(first->wait().value().success());
  EXPECT_TRUE(second->wait().value().success());
  EXPECT_EQ(os::read_file(counter).value_or(""), "x");
}

TEST_F(LayerStoreTest, KilledUnpackLeavesNothingVisibleAndTheNextCallFinishes) {
  for (std::string step : {"progress", "unpacked", "sync", "rename"}) {
    store_->set_fault_point([&](std::string_view at) -> Result<void> {
      if (at == step) os::exit_now(9);
      return {};
    });
    Result<os::ChildProcess> child = os::ChildProcess::fork_and_run([&] {
      Result<std::string> path = ensure([&](uint64_t) {
        if (step == "progress") (void)os::kill_process(os::current_pid(), SIGKILL);
      });
      return path ? 0 : 1;
    });
    ASSERT_TRUE(child.has_value());
    os::ExitStatus status = child->wait().value();
    EXPECT_TRUE(status.signal == SIGKILL || status.code == 9) << step;
    EXPECT_FALSE(store_->contains(diff_id_)) << step;
    EXPECT_FALSE(leftovers().empty()) << step;  // a half-made temp dir, not visible
  }
  store_->set_fault_point(nullptr);
  Result<std::string> path = ensure();
  ASSERT_TRUE(path.has_value()) << path.error().message;
  EXPECT_EQ(os::read_file(*path + "/etc/hostname").value_or(""), "box");
  EXPECT_TRUE(leftovers().empty());
}

TEST_F(LayerStoreTest, RemoveListAndDiskUsage) {
  ASSERT_TRUE(ensure().has_value());
  Result<uint64_t> usage = store_->disk_usage(diff_id_);
  ASSERT_TRUE(usage.has_value()) << usage.error().message;
  EXPECT_GT(*usage, 0u);
  EXPECT_GE(store_->total_disk_usage().value_or(0), *usage);
  ASSERT_TRUE(store_->remove(diff_id_).has_value());
  EXPECT_FALSE(store_->contains(diff_id_));
  EXPECT_TRUE(store_->list().value().empty());
  EXPECT_TRUE(leftovers().empty());
  EXPECT_TRUE(store_->remove(diff_id_).has_value());
  EXPECT_EQ(store_->disk_usage(diff_id_).error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace msb::image
