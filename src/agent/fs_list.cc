// fs.list: a directory's entries, one fs.list_entry frame each, produced while the host
// keeps up and acknowledges them.
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "agent/fs_session.h"
#include "os/fs_calls.h"

namespace msb::agent {
namespace {

class ListSession : public FsSession {
 public:
  ListSession(os::Fd dir, std::vector<std::string> names)
      : dir_(std::move(dir)), names_(std::move(names)) {}

  bool produces() const override { return true; }

  State produce(uint32_t id, protocol::FrameConnection& connection, size_t budget) override {
    for (size_t spent = 0; next_ < names_.size() && spent < budget;) {
      const std::string& name = names_[next_++];
      std::optional<protocol::FsListEntry> entry = describe(name);
      if (!entry) continue;
      spent += protocol::flow_cost(*entry);
      send_counted(id, connection, *entry);  // a name is at most 255 bytes
    }
    if (next_ < names_.size()) return State::kOpen;
    (void)connection.send(id, protocol::kFlagTerminal, protocol::FsDone{});
    return State::kDone;
  }

 private:
  // nullopt for an entry removed since the directory was read. An entry that cannot be
  // examined (a directory readable but not searchable) has only its name.
  std::optional<protocol::FsListEntry> describe(const std::string& name) const {
    protocol::FsListEntry entry;
    entry.name = name;
    Result<os::FileStatus> status = os::stat_at(dir_.get(), name, /*follow=*/false);
    if (!status) {
      if (status.error().sys_errno == ENOENT) return std::nullopt;
      return entry;
    }
    entry.type = type_name(status->mode);
    entry.mode = status->mode & 07777;
    entry.size = status->size;
    entry.mtime_ns = status->mtime_ns;
    if (S_ISLNK(status->mode)) {
      Result<std::string> target = os::read_link_at(dir_.get(), name);
      if (target) entry.link_target = std::move(*target);
    }
    return entry;
  }

  os::Fd dir_;
  std::vector<std::string> names_;  // sorted
  size_t next_ = 0;
};

}  // namespace

FsResult<std::unique_ptr<FsSession>> open_fs_session(const protocol::FsList& request) {
  if (std::optional<protocol::FsError> bad = check_path(request.path)) {
    return tl::unexpected(*bad);
  }
  Result<os::Fd> dir = os::open_at(AT_FDCWD, request.path, O_RDONLY | O_DIRECTORY);
  if (!dir) return tl::unexpected(fs_error(dir.error(), "list", request.path));
  // The names are few bytes each (100k entries are a few MiB); entries are built later.
  Result<std::vector<std::string>> names = os::read_dir_names(dir->get());
  if (!names) return tl::unexpected(fs_error(names.error(), "list", request.path));
  std::sort(names->begin(), names->end());
  return std::make_unique<ListSession>(std::move(*dir), std::move(*names));
}

}  // namespace msb::agent
