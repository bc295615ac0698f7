#include "image/growing_file.h"

#include <fcntl.h>

#include <algorithm>

#include "os/file.h"
#include "os/fs_calls.h"

namespace msb::image {

class GrowingFile::Reader : public ByteSource {
 public:
  explicit Reader(GrowingFile& file) : file_(file) {}

  Result<size_t> read(std::span<char> buffer) override {
    for (;;) {
      std::shared_ptr<os::Fd> fd;
      uint64_t limit = 0;
      bool complete = false;
      {
        std::unique_lock lock(file_.mutex_);
        // After a fruitless read (the file was cut under us) wait for the writer's next word.
        file_.changed_.wait(lock, [&] {
          return file_.failure_ || (file_.sequence_ != stalled_at_ &&
                                    (file_.complete_ || file_.available_ > offset_));
        });
        if (file_.failure_) return tl::unexpected(*file_.failure_);
        if (file_.available_ <= offset_) return size_t{0};  // complete, all read
        fd = file_.fd_;
        limit = file_.available_;
        complete = file_.complete_;
        stalled_at_ = file_.sequence_;
      }
      if (fd == nullptr) return err(ErrorKind::kIo, "{} is not open", file_.path_);
      size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), limit - offset_));
      size_t got = MSB_TRY(os::read_at_offset(fd->get(), buffer.first(want), offset_)
                               .context("read {}", file_.path_));
      if (got > 0) {
        offset_ += got;
        stalled_at_ = kNoStall;
        return got;
      }
      if (complete)
        return err(ErrorKind::kIo, "{} is shorter than its {} bytes", file_.path_, limit);
    }
  }

 private:
  static constexpr uint64_t kNoStall = ~uint64_t{0};
  GrowingFile& file_;
  uint64_t offset_ = 0;
  uint64_t stalled_at_ = kNoStall;
};

std::unique_ptr<ByteSource> GrowingFile::reader() { return std::make_unique<Reader>(*this); }

void GrowingFile::open_locked() {
  Result<os::Fd> opened = os::open_file(path_, O_RDONLY);
  if (!opened) {
    failure_ = std::move(opened.error());
    return;
  }
  fd_ = std::make_shared<os::Fd>(std::move(*opened));
}

void GrowingFile::advance(uint64_t size) { report(size, false); }

// `complete` without an advance before: a blob left complete by an earlier run.
void GrowingFile::complete(uint64_t size) { report(size, true); }

void GrowingFile::report(uint64_t size, bool complete) {
  {
    std::lock_guard lock(mutex_);
    if (failure_ || complete_) return;
    // A restart may have replaced the file: open the new one once it has bytes again.
    if (size < available_) fd_.reset();
    available_ = size;
    complete_ = complete;
    ++sequence_;
    if (size > 0 && fd_ == nullptr) open_locked();
  }
  changed_.notify_all();
}

void GrowingFile::fail(Error error) {
  {
    std::lock_guard lock(mutex_);
    if (!failure_) failure_ = std::move(error);
    ++sequence_;
  }
  changed_.notify_all();
}

}  // namespace msb::image
