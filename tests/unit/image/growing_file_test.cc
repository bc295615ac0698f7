#include "image/growing_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "os/file.h"
#include "os/io.h"

namespace msb::image {
namespace {

class GrowingFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> dir = os::TempDir::create("msb-growing-file-test-");
    ASSERT_TRUE(dir.has_value()) << dir.error().message;
    dir_.emplace(std::move(*dir));
    path_ = dir_->path() + "/partial";
    data_.reserve(1 << 20);
    for (int i = 0; data_.size() < (1 << 20); ++i) data_ += std::to_string(i) + ",";
  }

  // Appends data_[from, to) to the file and reports it, in pieces of `piece` bytes.
  void append(GrowingFile& file, size_t from, size_t to, size_t piece = 40'000) {
    os::Fd fd = os::open_file(path_, O_WRONLY | O_CREAT | O_APPEND).value();
    for (size_t at = from; at < to; at += piece) {
      size_t end = std::min(to, at + piece);
      ASSERT_TRUE(os::write_all(fd.get(), std::string_view(data_).substr(at, end - at)));
      file.advance(end);
      std::this_thread::yield();
    }
  }

  // What a reader gets while `write` runs on another thread.
  static Result<std::string> follow(GrowingFile& file, const std::function<void()>& write) {
    std::unique_ptr<ByteSource> reader = file.reader();
    std::thread writer(write);
    Result<std::string> got = read_all(*reader);
    writer.join();
    return got;
  }

  static Result<std::string> read_all(ByteSource& source) {
    std::string out, buffer(12'345, '\0');
    for (;;) {
      size_t got = MSB_TRY(source.read(buffer));
      if (got == 0) return out;
      out.append(buffer, 0, got);
    }
  }

  std::optional<os::TempDir> dir_;
  std::string path_, data_;
};

TEST_F(GrowingFileTest, TheReaderFollowsTheWriterToTheEnd) {
  GrowingFile file(path_);
  Result<std::string> got = follow(file, [&] {
    append(file, 0, data_.size());
    file.complete(data_.size());
  });
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_TRUE(*got == data_);
}

TEST_F(GrowingFileTest, AFailedWriterFailsTheReaderWithItsError) {
  GrowingFile file(path_);
  Result<std::string> got = follow(file, [&] {
    append(file, 0, data_.size() / 2);
    file.fail(Error{ErrorKind::kIo, 0, "blob x: HTTP 500"});
  });
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().kind, ErrorKind::kIo);
  EXPECT_EQ(got.error().message, "blob x: HTTP 500");
}

TEST_F(GrowingFileTest, AResumedFileIsReadFromItsStart) {
  ASSERT_TRUE(os::write_file(path_, data_.substr(0, 300'000)));  // left by a killed pull
  GrowingFile file(path_);
  Result<std::string> got = follow(file, [&] {
    file.advance(300'000);  // what fetch_blob reports before it asks for the rest
    append(file, 300'000, data_.size());
    file.complete(data_.size());
  });
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_TRUE(*got == data_);
}

TEST_F(GrowingFileTest, ARestartThatReplacesTheFileIsFollowed) {
  GrowingFile file(path_);
  Result<std::string> got = follow(file, [&] {
    append(file, 0, 500'000);
    // A refused Range: the partial is deleted and the download starts over.
    ASSERT_TRUE(os::remove_file(path_));
    file.advance(0);
    append(file, 0, data_.size());
    file.complete(data_.size());
  });
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_TRUE(*got == data_);
}

TEST_F(GrowingFileTest, ACompleteFileLeftByAnEarlierRunIsReadWhole) {
  ASSERT_TRUE(os::write_file(path_, data_));
  GrowingFile file(path_);
  file.complete(data_.size());
  Result<std::string> got = read_all(*file.reader());
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_TRUE(*got == data_);
}

TEST_F(GrowingFileTest, AFileShorterThanReportedFails) {
  ASSERT_TRUE(os::write_file(path_, data_.substr(0, 1000)));
  GrowingFile file(path_);
  file.complete(2000);
  Result<std::string> got = read_all(*file.reader());
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().kind, ErrorKind::kIo);
}

TEST_F(GrowingFileTest, AFileThatCannotBeOpenedFailsTheReader) {
  GrowingFile file(path_ + "-missing");
  file.advance(10);
  Result<std::string> got = read_all(*file.reader());
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().kind, ErrorKind::kNotFound);
}

TEST_F(GrowingFileTest, AnEmptyCompleteFileIsEmpty) {
  GrowingFile file(path_);
  file.complete(0);
  Result<std::string> got = read_all(*file.reader());
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_TRUE(got->empty());
}

}  // namespace
}  // namespace msb::image
