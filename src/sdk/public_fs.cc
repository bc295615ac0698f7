// SandboxFs and FileWriter over sdk/fs_client.h; host <-> guest tree copies in
// sdk/host_copy.cc, guest -> guest in sdk/guest_copy.cc.
#include "sdk/fs_client.h"
#include "sdk/guest_copy.h"
#include "sdk/host_copy.h"
#include "sdk/sandbox_impl.h"
#include "sdk/time_points.h"

namespace microsandbox {

using msb::sdk::from_ns;

struct SandboxFs::Impl {
  std::string socket;
  std::optional<msb::sdk::FsClient> client;

  msb::sdk::FsClient& fs() {
    if (!client) client.emplace(msb::sdk::value_or_throw(msb::sdk::FsClient::connect(socket)));
    return *client;
  }
};

struct FileWriter::Impl {
  msb::sdk::FsClient client;
  uint32_t id;
  bool closed = false;
  // Abandoned without close(): the agent closes the file as it is (see fs.h).
  ~Impl() {
    if (!closed) (void)client.cancel(id);
  }
};

struct FsAccess {
  static SandboxFs make_fs(std::string socket) {
    auto impl = std::make_unique<SandboxFs::Impl>();
    impl->socket = std::move(socket);
    return SandboxFs(std::move(impl));
  }
  static FileWriter make_writer(msb::sdk::FsClient client, uint32_t id) {
    return FileWriter(std::make_unique<FileWriter::Impl>(std::move(client), id));
  }
};

namespace {

using msb::sdk::value_or_throw;

FileType file_type(const std::string& type) {
  if (type == "file") return FileType::kFile;
  if (type == "dir") return FileType::kDir;
  if (type == "symlink") return FileType::kSymlink;
  if (type.empty()) return FileType::kMissing;
  return FileType::kOther;
}

int64_t to_ns(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

std::string write_flags(const WriteOptions& options) {
  if (options.exclusive) return options.append ? "create,exclusive,append" : "create,exclusive";
  return options.append ? "create,append" : "create,truncate";
}

}  // namespace

SandboxFs Sandbox::fs() { return FsAccess::make_fs(agent_socket(*impl_)); }

const char* file_type_name(FileType type) {
  switch (type) {
    case FileType::kMissing:
      return "missing";
    case FileType::kFile:
      return "file";
    case FileType::kDir:
      return "directory";
    case FileType::kSymlink:
      return "symlink";
    case FileType::kOther:
      return "other";
  }
  return "other";
}

SandboxFs::SandboxFs(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SandboxFs::SandboxFs(SandboxFs&&) noexcept = default;
SandboxFs& SandboxFs::operator=(SandboxFs&&) noexcept = default;
SandboxFs::~SandboxFs() = default;

FileStat SandboxFs::stat(const std::string& path, bool follow) {
  msb::protocol::FsStatResult stat = value_or_throw(impl_->fs().stat(path, follow));
  return FileStat{stat.exists, file_type(stat.type),   stat.mode,
                  stat.size,   from_ns(stat.mtime_ns), stat.uid,
                  stat.gid};
}

bool SandboxFs::exists(const std::string& path) { return stat(path, false).exists; }

std::vector<DirEntry> SandboxFs::list(const std::string& path) {
  std::vector<DirEntry> entries;
  for (msb::protocol::FsListEntry& entry : value_or_throw(impl_->fs().list(path))) {
    entries.push_back(DirEntry{std::move(entry.name), file_type(entry.type), entry.mode, entry.size,
                               from_ns(entry.mtime_ns), std::move(entry.link_target)});
  }
  return entries;
}

std::string SandboxFs::read(const std::string& path, uint64_t offset, uint64_t length) {
  std::string data;
  value_or_throw(impl_->fs().read(path, offset, length, [&](std::string_view chunk) {
    data.append(chunk);
    return msb::Result<void>();
  }));
  return data;
}

uint64_t SandboxFs::read_stream(const std::string& path,
                                const std::function<void(std::string_view chunk)>& sink) {
  return value_or_throw(impl_->fs().read(path, 0, 0, [&](std::string_view chunk) {
    sink(chunk);
    return msb::Result<void>();
  }));
}

void SandboxFs::write(const std::string& path, std::string_view data, const WriteOptions& options) {
  msb::sdk::FsClient& fs = impl_->fs();
  uint32_t id = value_or_throw(fs.begin_write(path, options.mode, write_flags(options)));
  value_or_throw(fs.write_chunk(id, data));
  value_or_throw(fs.end_write(id));
}

FileWriter SandboxFs::open_write(const std::string& path, const WriteOptions& options) {
  // Its own connection: the writer may live on while other calls use this one.
  msb::sdk::FsClient client = value_or_throw(msb::sdk::FsClient::connect(impl_->socket));
  uint32_t id = value_or_throw(client.begin_write(path, options.mode, write_flags(options)));
  return FsAccess::make_writer(std::move(client), id);
}

void SandboxFs::mkdir(const std::string& path, bool parents, uint32_t mode) {
  value_or_throw(impl_->fs().request(msb::protocol::FsMkdir{path, mode, parents}));
}
void SandboxFs::remove(const std::string& path) {
  value_or_throw(impl_->fs().request(msb::protocol::FsRemove{path, false}));
}
void SandboxFs::remove_dir(const std::string& path, bool recursive) {
  value_or_throw(impl_->fs().request(msb::protocol::FsRemove{path, recursive}));
}
void SandboxFs::rename(const std::string& from, const std::string& to) {
  value_or_throw(impl_->fs().request(msb::protocol::FsRename{from, to}));
}
void SandboxFs::copy(const std::string& from, const std::string& to, bool recursive) {
  value_or_throw(impl_->fs().request(msb::protocol::FsCopy{from, to, recursive}));
}
void SandboxFs::symlink(const std::string& target, const std::string& link) {
  value_or_throw(impl_->fs().request(msb::protocol::FsSymlink{target, link}));
}
std::string SandboxFs::read_link(const std::string& path) {
  return value_or_throw(impl_->fs().path_request(msb::protocol::FsReadLink{path}));
}
std::string SandboxFs::real_path(const std::string& path) {
  return value_or_throw(impl_->fs().path_request(msb::protocol::FsRealPath{path}));
}
void SandboxFs::chmod(const std::string& path, uint32_t mode) {
  value_or_throw(impl_->fs().request(msb::protocol::FsChmod{path, mode}));
}
void SandboxFs::chown(const std::string& path, int64_t uid, int64_t gid, bool follow) {
  value_or_throw(impl_->fs().request(msb::protocol::FsChown{path, uid, gid, follow}));
}
void SandboxFs::set_times(const std::string& path, std::chrono::system_clock::time_point atime,
                          std::chrono::system_clock::time_point mtime, bool follow) {
  value_or_throw(
      impl_->fs().request(msb::protocol::FsSetTimes{path, to_ns(atime), to_ns(mtime), follow}));
}
void SandboxFs::copy_from_host(const std::string& host_path, const std::string& guest_path) {
  value_or_throw(msb::sdk::copy_host_to_guest(impl_->fs(), host_path, guest_path));
}
void SandboxFs::copy_to_host(const std::string& guest_path, const std::string& host_path) {
  value_or_throw(msb::sdk::copy_guest_to_host(impl_->fs(), guest_path, host_path));
}
void SandboxFs::copy_to_sandbox(const std::string& guest_path, SandboxFs& destination,
                                const std::string& destination_path) {
  // Its own connection: the source's chunks stream on this one meanwhile, even when both
  // handles are on the same sandbox.
  msb::sdk::FsClient to = value_or_throw(msb::sdk::FsClient::connect(destination.impl_->socket));
  value_or_throw(msb::sdk::copy_between_sandboxes(impl_->fs(), guest_path, to, destination_path));
}

FileWriter::FileWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FileWriter::FileWriter(FileWriter&&) noexcept = default;
FileWriter& FileWriter::operator=(FileWriter&&) noexcept = default;
FileWriter::~FileWriter() = default;

void FileWriter::write(std::string_view data) {
  if (impl_->closed) throw Error(ErrorKind::kInvalidArgument, "write after close");
  value_or_throw(impl_->client.write_chunk(impl_->id, data));
}

uint64_t FileWriter::close() {
  if (impl_->closed) throw Error(ErrorKind::kInvalidArgument, "close: already closed");
  impl_->closed = true;
  return value_or_throw(impl_->client.end_write(impl_->id));
}

}  // namespace microsandbox
