// fs.read: a regular file's bytes as fs.data chunks, read as the host keeps up and
// acknowledges them (never the whole file at once).
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "agent/fs_session.h"
#include "os/fs_calls.h"

namespace msb::agent {
namespace {

class ReadSession : public FsSession {
 public:
  ReadSession(os::Fd file, std::string path, uint64_t offset, uint64_t length)
      : file_(std::move(file)), path_(std::move(path)), offset_(offset), length_(length) {}

  bool produces() const override { return true; }

  State produce(uint32_t id, protocol::FrameConnection& connection, size_t budget) override {
    for (size_t spent = 0; spent + protocol::kFrameCost < budget;) {
      if (length_ != 0 && read_ == length_) return finish(id, connection);
      // Within the budget, which is within the host's credit.
      size_t want = std::min(kFsChunkBytes, budget - spent - protocol::kFrameCost);
      if (length_ != 0) want = static_cast<size_t>(std::min<uint64_t>(want, length_ - read_));
      protocol::Bytes chunk{std::string(want, '\0')};
      Result<size_t> n = os::read_at_offset(file_.get(), chunk.data, offset_ + read_);
      if (!n) {
        (void)connection.send(id, protocol::kFlagTerminal, fs_error(n.error(), "read", path_));
        return State::kFailed;
      }
      if (*n == 0) return finish(id, connection);  // end of file
      chunk.data.resize(*n);
      read_ += *n;
      spent += protocol::kFrameCost + *n;
      send_counted(id, connection, protocol::FsData{std::move(chunk)});
    }
    // A read that ends exactly here says so now rather than after the host's next core.ack.
    if (length_ != 0 && read_ == length_) return finish(id, connection);
    return State::kOpen;
  }

 private:
  State finish(uint32_t id, protocol::FrameConnection& connection) {
    (void)connection.send(id, protocol::kFlagTerminal, protocol::FsDone{read_});
    return State::kDone;
  }

  os::Fd file_;
  std::string path_;
  uint64_t offset_;
  uint64_t length_;  // 0: to the end
  uint64_t read_ = 0;
};

}  // namespace

FsResult<std::unique_ptr<FsSession>> open_fs_session(const protocol::FsRead& request) {
  const std::string& path = request.path;
  if (std::optional<protocol::FsError> bad = check_path(path)) return tl::unexpected(*bad);
  // Non-blocking, so that a FIFO where a file should be cannot hang the agent.
  Result<os::Fd> file = os::open_at(AT_FDCWD, path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (!file) return tl::unexpected(fs_error(file.error(), "open", path));
  Result<os::FileStatus> status = os::stat_fd(file->get());
  if (!status) return tl::unexpected(fs_error(status.error(), "stat", path));
  if (S_ISDIR(status->mode)) return tl::unexpected(fs_error(EISDIR, "read", path));
  if (!S_ISREG(status->mode)) {
    return tl::unexpected(
        fs_failure("other", 0, "read " + shown(path) + ": not a regular file", path));
  }
  if (request.offset > uint64_t{INT64_MAX}) {
    return tl::unexpected(fs_failure("other", EINVAL, "offset is too large", path));
  }
  return std::make_unique<ReadSession>(std::move(*file), path, request.offset, request.length);
}

}  // namespace msb::agent
