#include "runtime/host_upload.h"

#include <fcntl.h>

#include <filesystem>
#include <utility>
#include <vector>

#include "os/fd.h"
#include "os/file.h"
#include "os/io.h"

namespace msb::runtime {
namespace {

namespace fs = std::filesystem;

using Pending = std::vector<std::pair<std::string, std::string>>;

uint32_t mode_of(const fs::file_status& status) {
  return static_cast<uint32_t>(status.permissions()) & 07777;
}

std::string child_of(const std::string& dir, const std::string& name) {
  return dir.ends_with('/') ? dir + name : dir + "/" + name;
}

// One entry of the host tree; a directory queues its children. False when it was skipped.
Result<bool> upload_entry(GuestFsChannel& channel, const std::string& host,
                          const std::string& guest, bool is_root, const HostUpload& options,
                          Pending& pending) {
  std::error_code ec;
  fs::file_status status = fs::symlink_status(host, ec);
  if (ec) return err(kind_from_errno(ec.value()), "{}: {}", host, ec.message());
  if (fs::is_symlink(status)) {
    fs::path target = fs::read_symlink(host, ec);
    if (ec) return err(ErrorKind::kIo, "readlink {}: {}", host, ec.message());
    MSB_TRY(call_done(channel, protocol::FsSymlink{target.string(), guest}));
    return true;
  }
  if (fs::is_directory(status)) {
    uint32_t mode = is_root && options.root_mode ? *options.root_mode : mode_of(status);
    MSB_TRY(call_done(channel, protocol::FsMkdir{guest, mode, true}));
    MSB_TRY(call_done(channel, protocol::FsChmod{guest, mode}));
    for (const fs::directory_entry& child : fs::directory_iterator(host, ec))
      pending.emplace_back(child.path().string(),
                           child_of(guest, child.path().filename().string()));
    if (ec) return err(ErrorKind::kIo, "list {}: {}", host, ec.message());
    return true;
  }
  if (fs::is_regular_file(status)) {
    MSB_TRY(upload_host_file(channel, host, guest, mode_of(status), options.chunk_bytes));
    return true;
  }
  return false;
}

}  // namespace

Result<void> upload_host_file(GuestFsChannel& channel, const std::string& host,
                              const std::string& guest, uint32_t mode, size_t chunk_bytes) {
  os::Fd file = MSB_TRY(os::open_file(host, O_RDONLY));
  std::string buffer(chunk_bytes, '\0');
  MSB_TRY(channel.write(
      protocol::FsWrite{guest, mode, "create,truncate"}, [&]() -> Result<std::string_view> {
        size_t got = MSB_TRY(std::move(os::read_some(file.get(), buffer)).context("read {}", host));
        return std::string_view(buffer.data(), got);
      }));
  // The guest's umask may have narrowed the mode at creation.
  return call_done(channel, protocol::FsChmod{guest, mode});
}

Result<void> upload_host_tree(GuestFsChannel& channel, const std::string& host,
                              const std::string& guest, const HostUpload& options) {
  Pending pending = {{host, guest}};
  bool is_root = true;
  while (!pending.empty()) {
    auto [from, to] = std::move(pending.back());
    pending.pop_back();
    bool made = MSB_TRY(upload_entry(channel, from, to, is_root, options, pending));
    is_root = false;
    if (made && options.after_entry) MSB_TRY(options.after_entry(to));
  }
  return {};
}

}  // namespace msb::runtime
