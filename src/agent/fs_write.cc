// fs.write: the host streams fs.data frames and ends with fs.close. Each chunk is written as
// it arrives, so the agent holds at most the frames of one channel read: while the disk is
// slow the loop is in write(2) and does not read the channel, and the host's sends block.
#include <fcntl.h>

#include <cerrno>
#include <string>

#include "agent/fs_session.h"
#include "os/fs_calls.h"
#include "os/io.h"

namespace msb::agent {
namespace {

constexpr uint32_t kDefaultFileMode = 0644;

class WriteSession : public FsSession {
 public:
  WriteSession(os::Fd file, std::string path) : file_(std::move(file)), path_(std::move(path)) {}

  bool accepts_upload() const override { return true; }

  State receive(uint32_t id, const protocol::Message& message,
                protocol::FrameConnection& connection) override {
    if (const auto* data = std::get_if<protocol::FsData>(&message)) {
      Result<void> written = os::write_all(file_.get(), data->data.data);
      if (!written) return fail(id, connection, fs_error(written.error(), "write", path_));
      bytes_ += data->data.data.size();
      return State::kOpen;
    }
    // fs.close: the data is on disk before the host hears it is done.
    Result<void> synced = os::sync_fd(file_.get());
    if (!synced) return fail(id, connection, fs_error(synced.error(), "fsync", path_));
    file_.reset();
    (void)connection.send(id, protocol::kFlagTerminal, protocol::FsDone{bytes_});
    return State::kDone;
  }

 private:
  State fail(uint32_t id, protocol::FrameConnection& connection, protocol::FsError error) {
    (void)connection.send(id, protocol::kFlagTerminal, std::move(error));
    return State::kFailed;
  }

  os::Fd file_;
  std::string path_;
  uint64_t bytes_ = 0;
};

// Opens for writing. A file this creates gets exactly `mode` (not masked by the umask):
// creation is tried first with O_EXCL so that we know whether it was ours.
FsResult<os::Fd> open_for_write(const std::string& path, const WriteFlags& flags, uint32_t mode) {
  // Non-blocking, so that a FIFO without a reader fails (ENXIO) instead of hanging the
  // agent; regular files ignore the flag.
  int open_flags_value = open_flags(flags) | O_NONBLOCK | O_NOCTTY;
  bool created = false;
  Result<os::Fd> file = err(ErrorKind::kInternal, "not opened");
  if (flags.create && !flags.exclusive) {
    file = os::open_at(AT_FDCWD, path, open_flags_value | O_EXCL, static_cast<int>(mode));
    created = file.has_value();
    if (!file && file.error().sys_errno == EEXIST) {
      file = os::open_at(AT_FDCWD, path, open_flags_value & ~O_CREAT);
    }
  } else {
    file = os::open_at(AT_FDCWD, path, open_flags_value, static_cast<int>(mode));
    created = file.has_value() && flags.exclusive;
  }
  if (!file) return tl::unexpected(fs_error(file.error(), "open", path));
  if (created) {
    Result<void> changed = os::chmod_fd(file->get(), mode);
    if (!changed) return tl::unexpected(fs_error(changed.error(), "chmod", path));
  }
  return std::move(*file);
}

}  // namespace

FsResult<std::unique_ptr<FsSession>> open_fs_session(const protocol::FsWrite& request) {
  const std::string& path = request.path;
  if (std::optional<protocol::FsError> bad = check_path(path)) return tl::unexpected(*bad);
  Result<WriteFlags> flags = parse_write_flags(request.mode_flags);
  if (!flags) return tl::unexpected(fs_failure("other", EINVAL, flags.error().message, path));
  uint32_t mode = request.mode == 0 ? kDefaultFileMode : request.mode & 07777;
  FsResult<os::Fd> file = open_for_write(path, *flags, mode);
  if (!file) return tl::unexpected(file.error());
  return std::make_unique<WriteSession>(std::move(*file), path);
}

}  // namespace msb::agent
