#include "sdk/host_copy.h"

#include <fcntl.h>

#include <filesystem>
#include <vector>

#include "os/fd.h"
#include "os/file.h"
#include "os/io.h"
#include "runtime/host_upload.h"
#include "sdk/fs_client_channel.h"

namespace msb::sdk {
namespace {

namespace fs = std::filesystem;

// Uploads in 1 MiB fs.data frames.
constexpr size_t kChunkBytes = 1 << 20;

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
  FsClientChannel channel(client);
  runtime::HostUpload upload;
  upload.chunk_bytes = kChunkBytes;
  return runtime::upload_host_tree(channel, host_path, destination, upload);
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
