#include "image/blob_cache.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "flock_waiters.h"
#include "image/digest.h"
#include "os/child_process.h"
#include "os/file.h"
#include "os/file_status.h"
#include "os/io.h"
#include "os/system.h"
#include "wait_until.h"

namespace msb::image {
namespace {

std::string digest_of(const std::string& data) {
  Sha256 hash;
  hash.update(data.data(), data.size());
  return hash.finish();
}

// Appends to `path` whatever part of `data` it lacks: a fetch that resumes.
Result<void> write_rest(const std::string& path, const std::string& data) {
  uint64_t have = 0;
  if (Result<os::FileStatus> status = os::lstat_path(path)) have = status->size;
  os::Fd fd = MSB_TRY(os::open_file(path, O_WRONLY | O_CREAT | O_APPEND));
  return os::write_all(fd.get(), std::string_view(data).substr(have));
}

class BlobCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-blob-cache-test-");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
    Result<BlobCache> cache = BlobCache::open(dir_->path() + "/cache");
    ASSERT_TRUE(cache.has_value()) << cache.error().message;
    cache_.emplace(std::move(*cache));
  }

  Result<std::string> ensure(const std::string& data, int64_t size = -1) {
    if (size == -1) size = static_cast<int64_t>(data.size());
    return cache_->ensure(digest_of(data), size,
                          [&](const std::string& partial) { return write_rest(partial, data); });
  }

  std::string locks() const { return dir_->path() + "/cache/locks"; }

  std::optional<os::TempDir> dir_;
  std::optional<BlobCache> cache_;
  const std::string data_ = std::string(100000, 'b') + "end";
};

TEST_F(BlobCacheTest, EnsureFetchesVerifiesAndPublishes) {
  std::string digest = digest_of(data_);
  EXPECT_FALSE(cache_->contains(digest));
  Result<std::string> path = ensure(data_);
  ASSERT_TRUE(path.has_value()) << path.error().message;
  EXPECT_EQ(*path, cache_->path(digest));
  EXPECT_EQ(os::read_file(*path).value_or(""), data_);
  EXPECT_TRUE(cache_->contains(digest));
  EXPECT_FALSE(os::path_exists(cache_->partial_path(digest)));
  EXPECT_EQ(cache_->list().value_or(std::vector<std::string>{}), std::vector<std::string>{digest});
}

TEST_F(BlobCacheTest, CachedBlobIsNotFetchedAgain) {
  ASSERT_TRUE(ensure(data_).has_value());
  int fetches = 0;
  Result<std::string> again = cache_->ensure(digest_of(data_), -1, [&](const std::string&) {
    ++fetches;
    return Result<void>{};
  });
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(fetches, 0);
}

TEST_F(BlobCacheTest, DigestMismatchDeletesThePartialAndFails) {
  std::string digest = digest_of(data_);
  Result<std::string> path = cache_->ensure(digest, -1, [&](const std::string& partial) {
    return os::write_file(partial, data_ + "flipped");
  });
  ASSERT_FALSE(path.has_value());
  EXPECT_EQ(path.error().kind, ErrorKind::kIntegrity);
  EXPECT_NE(path.error().message.find("digest mismatch: expected " + digest), std::string::npos)
      << path.error().message;
  EXPECT_FALSE(os::path_exists(cache_->partial_path(digest)));
  EXPECT_FALSE(cache_->contains(digest));
}

TEST_F(BlobCacheTest, SizeMismatchDeletesThePartialAndFails) {
  Result<std::string> path = ensure(data_, static_cast<int64_t>(data_.size()) + 1);
  ASSERT_FALSE(path.has_value());
  EXPECT_EQ(path.error().kind, ErrorKind::kIntegrity);
  EXPECT_NE(path.error().message.find("size mismatch"), std::string::npos) << path.error().message;
  EXPECT_FALSE(os::path_exists(cache_->partial_path(digest_of(data_))));
}

TEST_F(BlobCacheTest, AFetchThatVerifiesIsTrustedWithTheDigestButNotTheSize) {
  // kByFetch: the fetch hashed what it wrote (RegistryClient does); the cache does not read
  // the blob again, so content it was not shown is published as is.
  std::string digest = digest_of(data_);
  std::string other = std::string(data_.size(), 'o');
  Result<std::string> path = cache_->ensure(
      digest, static_cast<int64_t>(data_.size()),
      [&](const std::string& partial) { return os::write_file(partial, other); },
      DigestCheck::kByFetch);
  ASSERT_TRUE(path.has_value()) << path.error().message;
  EXPECT_EQ(os::read_file(*path).value_or(""), other);
  ASSERT_TRUE(cache_->remove(digest).has_value());
  Result<std::string> short_blob = cache_->ensure(
      digest, static_cast<int64_t>(data_.size()),
      [&](const std::string& partial) { return os::write_file(partial, "short"); },
      DigestCheck::kByFetch);
  ASSERT_FALSE(short_blob.has_value());
  EXPECT_NE(short_blob.error().message.find("size mismatch"), std::string::npos);
  EXPECT_FALSE(cache_->contains(digest));
}

TEST_F(BlobCacheTest, FailedFetchKeepsThePartialAndTheNextCallResumesIt) {
  std::string digest = digest_of(data_);
  Result<std::string> cut =
      cache_->ensure(digest, -1, [&](const std::string& partial) -> Result<void> {
        MSB_TRY(os::write_file(partial, data_.substr(0, 5000)));
        return Result<void>(err(ErrorKind::kIo, "connection reset"));
      });
  ASSERT_FALSE(cut.has_value());
  EXPECT_NE(cut.error().message.find("connection reset"), std::string::npos);
  EXPECT_FALSE(cache_->contains(digest));
  EXPECT_EQ(os::lstat_path(cache_->partial_path(digest)).value().size, 5000u);
  uint64_t resumed_from = 0;
  Result<std::string> path = cache_->ensure(digest, -1, [&](const std::string& partial) {
    resumed_from = os::lstat_path(partial).value().size;
    return write_rest(partial, data_);
  });
  ASSERT_TRUE(path.has_value()) << path.error().message;
  EXPECT_EQ(resumed_from, 5000u);
  EXPECT_EQ(os::read_file(*path).value_or(""), data_);
}

TEST_F(BlobCacheTest, RejectsInvalidDigests) {
  Result<std::string> path = cache_->ensure("sha256:../../etc", -1, [](const std::string&) {
    ADD_FAILURE() << "fetched for an invalid digest";
    return Result<void>{};
  });
  ASSERT_FALSE(path.has_value());
  EXPECT_EQ(path.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(cache_->path("sha256:../../etc"), "");
  EXPECT_FALSE(cache_->contains("../blobs"));
  EXPECT_FALSE(cache_->remove("md5:abc").has_value());
}

TEST_F(BlobCacheTest, RemoveDeletesBlobAndPartial) {
  ASSERT_TRUE(ensure(data_).has_value());
  std::string digest = digest_of(data_);
  ASSERT_TRUE(cache_->remove(digest).has_value());
  EXPECT_FALSE(cache_->contains(digest));
  EXPECT_TRUE(cache_->list().value().empty());
  EXPECT_TRUE(cache_->remove(digest).has_value());  // already absent
}

TEST_F(BlobCacheTest, ConcurrentThreadsFetchOnce) {
  std::atomic<int> fetches{0};
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      Result<std::string> path =
          cache_->ensure(digest_of(data_), -1, [&](const std::string& partial) -> Result<void> {
            ++fetches;
            // Held until the seven others queue on the blob's lock.
            if (!testing::wait_until([&] { return testing::flock_waiters_in(locks()) >= 7; },
                                     std::chrono::seconds(30), std::chrono::milliseconds(5)))
              return err(ErrorKind::kTimeout, "the other threads never queued on the lock");
            return write_rest(partial, data_);
          });
      if (!path || os::read_file(*path).value_or("") != data_) ++failures;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(fetches.load(), 1);
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(BlobCacheTest, TwoProcessesFetchOnce) {
  std::string counter = dir_->path() + "/fetches";
  auto body = [&] {
    Result<std::string> path =
        cache_->ensure(digest_of(data_), -1, [&](const std::string& p) -> Result<void> {
          MSB_TRY(write_rest(counter, std::string(os::lstat_path(counter) ? 2 : 1, 'x')));
          // Held until the other process queues on the blob's lock.
          if (!testing::wait_until([&] { return testing::flock_waiters_in(locks()) >= 1; },
                                   std::chrono::seconds(30), std::chrono::milliseconds(5)))
            return err(ErrorKind::kTimeout, "the other process never queued on the lock");
          return write_rest(p, data_);
        });
    return path && os::read_file(*path).value_or("") == data_ ? 0 : 1;
  };
  Result<os::ChildProcess> first = os::ChildProcess::fork_and_run(body);
  Result<os::ChildProcess> second = os::ChildProcess::fork_and_run(body);
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_TRUE(first->wait().value().success());
  EXPECT_TRUE(second->wait().value().success());
  EXPECT_EQ(os::read_file(counter).value_or(""), "x");
}

TEST_F(BlobCacheTest, InjectedFaultsBeforeRenameLeaveNothingFinal) {
  std::string digest = digest_of(data_);
  for (std::string step : {"verify", "fsync", "rename"}) {
    cache_->set_fault_point([&](std::string_view at) -> Result<void> {
      if (at == step) return err(ErrorKind::kIo, "injected fault at {}", at);
      return {};
    });
    Result<std::string> path = ensure(data_);
    ASSERT_FALSE(path.has_value()) << step;
    EXPECT_NE(path.error().message.find("injected fault at " + step), std::string::npos);
    EXPECT_FALSE(cache_->contains(digest)) << step;
  }
  cache_->set_fault_point(nullptr);
  Result<std::string> path = ensure(data_);
  ASSERT_TRUE(path.has_value()) << path.error().message;
  EXPECT_EQ(os::read_file(*path).value_or(""), data_);
}

TEST_F(BlobCacheTest, ProcessKilledAtEachStepLeavesNothingFinalAndTheNextCallFinishes) {
  std::string digest = digest_of(data_);
  for (std::string step : {"fetch", "verify", "fsync", "rename"}) {
    cache_->set_fault_point([&](std::string_view at) -> Result<void> {
      if (at == step) os::exit_now(9);
      return {};
    });
    Result<os::ChildProcess> child = os::ChildProcess::fork_and_run([&] {
      Result<std::string> path =
          cache_->ensure(digest, -1, [&](const std::string& partial) -> Result<void> {
            MSB_TRY(os::write_file(partial, data_.substr(0, 777)));
            if (step == "fetch") (void)os::kill_process(os::current_pid(), SIGKILL);
            return write_rest(partial, data_);
          });
      return path ? 0 : 1;
    });
    ASSERT_TRUE(child.has_value());
    os::ExitStatus status = child->wait().value();
    EXPECT_TRUE(status.signal == SIGKILL || status.code == 9) << step;
    EXPECT_FALSE(cache_->contains(digest)) << step;
  }
  cache_->set_fault_point(nullptr);
  Result<std::string> path = ensure(data_);
  ASSERT_TRUE(path.has_value()) << path.error().message;
  EXPECT_EQ(os::read_file(*path).value_or(""), data_);
}

}  // namespace
}  // namespace msb::image
