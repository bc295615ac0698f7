#include "sdk/host_copy.h"

#include <fcntl.h>

#include <filesystem>
#include <vector>

#include "os/fd.h"
#include "os/file.h"
#include "os/io.h"

namespace msb::sdk {
namespace {

namespace fs = std::filesystem;

constexpr size_t kChunkBytes = 1 << 20;

uint32_t mode_of(const fs::file_status& status) {
  return static_cast<uint32_t>(status.permissions()) & 07777;
}

Result<void> upload_file(FsClient& client, const std::string& host, const std::string& guest,
                         uint32_t mode) {
  os::Fd file = MSB_TRY(os::open_file(host, O_RDONLY));
  uint32_t id = MSB_TRY(client.begin_write(guest, mode, "create,truncate"));
  std::string buffer(kChunkBytes, '\0');
  for (;;) {
    size_t got = MSB_TRY(std::move(os::read_some(file.get(), buffer)).context("read {}", host));
    if (got == 0) break;
    MSB_TRY(client.write_chunk(id, std::string_view(buffer.data(), got)));
  }
  MSB_TRY(client.end_write(id));
  // The guest's umask may have narrowed the mode at creation.
  return client.request(protocol::FsChmod{guest, mode});
}

// One entry of the host tree (no recursion: directories push their children).
Result<void> upload_entry(FsClient& client, const std::string& host, const std::string& guest,
                          std::vector<std::pair<std::string, std::string>>& pending) {
  std::error_code ec;
  fs::file_status status = fs::symlink_status(host, ec);
  if (ec) return err(kind_from_errno(ec.value()), "{}: {}", host, ec.message());
  if (fs::is_symlink(status)) {
    fs::path target = fs::read_symlink(host, ec);
    if (ec) return err(ErrorKind::kIo, "readlink {}: {}", host, ec.message());
    return client.request(protocol::FsSymlink{target.string(), guest});
  }
  if (fs::is_directory(status)) {
    MSB_TRY(client.request(protocol::FsMkdir{guest, mode_of(status), true}));
    MSB_TRY(client.request(protocol::FsChmod{guest, mode_of(status)}));
    for (const fs::directory_entry& child : fs::directory_iterator(host, ec))
      pending.emplace_back(child.path().string(),
                           path_join(guest, child.path().filename().string()));
    if (ec) return err(ErrorKind::kIo, "list {}: {}", host, ec.message());
    return {};
  }
  if (fs::is_regular_file(status)) return upload_file(client, host, guest, mode_of(status));
  return {};  // devices, fifos, sockets: not copied
}

Result<void> download_file(FsClient& client, const std::string& guest, const std::string& host,
                           uint32_t mode) {
  os::Fd file = MSB_TRY(os::open_file(host, O_WRONLY | O_CREAT | O_TRUNC, 0600));
  MSB_TRY(client.read(guest, 0, 0, [&](std::string_view chunk) {
    return std::move(os::write_all(file.get(), chunk)).context("write {}", host);
  }));
  std::error_code ec;
  fs::permissions(host, static_cast<fs::perms>(mode & 07777), ec);
  if (ec) return err(ErrorKind::kIo, "chmod {}: {}", host, ec.message());
  return {};
}

Result<void> download_entry(FsClient& client, const std::string& guest, const std::string& host,
                            std::vector<std::pair<std::string, std::string>>& pending) {
  protocol::FsStatResult stat = MSB_TRY(client.stat(guest, false));
  if (!stat.exists) return err(ErrorKind::kNotFound, "{}: no such file in the sandbox", guest);
  std::error_code ec;
  if (stat.type == "symlink") {
    std::string target = MSB_TRY(client.path_request(protocol::FsReadLink{guest}));
    fs::create_symlink(target, host, ec);
    if (ec) return err(ErrorKind::kIo, "symlink {}: {}", host, ec.message());
    return {};
  }
  if (stat.type == "dir") {
    fs::create_directories(host, ec);
    if (ec) return err(ErrorKind::kIo, "mkdir {}: {}", host, ec.message());
    fs::permissions(host, static_cast<fs::perms>(stat.mode & 07777), ec);
    for (const protocol::FsListEntry& entry : MSB_TRY(client.list(guest)))
      pending.emplace_back(path_join(guest, entry.name), path_join(host, entry.name));
    return {};
  }
  if (stat.type == "file") return download_file(client, guest, host, stat.mode);
  return {};
}

}  // namespace

std::string path_base_name(const std::string& path) {
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  return fs::path(trimmed).filename().string();
}

std::string path_join(const std::string& dir, const std::string& name) {
  return dir.ends_with('/') ? dir + name : dir + "/" + name;
}

Result<void> copy_host_to_guest(FsClient& client, const std::string& host_path,
                                const std::string& guest_path) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(host_path, ec)))
    return err(ErrorKind::kNotFound, "{}: no such file on the host", host_path);
  std::string destination = guest_path;
  protocol::FsStatResult target = MSB_TRY(client.stat(guest_path, true));
  if (target.exists && target.type == "dir")
    destination = path_join(guest_path, path_base_name(host_path));
  std::vector<std::pair<std::string, std::string>> pending = {{host_path, destination}};
  while (!pending.empty()) {
    auto [host, guest] = std::move(pending.back());
    pending.pop_back();
    MSB_TRY(upload_entry(client, host, guest, pending));
  }
  return {};
}

Result<void> copy_guest_to_host(FsClient& client, const std::string& guest_path,
                                const std::string& host_path) {
  std::string destination = host_path;
  if (os::is_directory(host_path)) destination = path_join(host_path, path_base_name(guest_path));
  std::vector<std::pair<std::string, std::string>> pending = {{guest_path, destination}};
  while (!pending.empty()) {
    auto [guest, host] = std::move(pending.back());
    pending.pop_back();
    MSB_TRY(download_entry(client, guest, host, pending));
  }
  return {};
}

}  // namespace msb::sdk
