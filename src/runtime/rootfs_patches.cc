#include "runtime/rootfs_patches.h"

#include <fcntl.h>

#include <filesystem>
#include <string>

#include "common/shown.h"
#include "os/fd.h"
#include "os/file.h"
#include "os/io.h"

namespace msb::runtime {
namespace {

namespace fs = std::filesystem;
using config::RootfsPatch;
using Kind = RootfsPatch::Kind;

constexpr size_t kChunkBytes = 256 * 1024;
constexpr uint32_t kFileMode = 0644;
constexpr uint32_t kDirMode = 0755;

Result<void> expect_done(Result<protocol::Message> reply, std::string_view what) {
  if (!reply) return tl::unexpected(reply.error());
  if (std::holds_alternative<protocol::FsDone>(*reply)) return {};
  return err(ErrorKind::kProtocol, "unexpected reply to {}", what);
}

Result<protocol::FsStatResult> stat(PatchChannel& channel, const std::string& path) {
  protocol::Message reply = MSB_TRY(channel.call(protocol::FsStat{path, false}));
  if (auto* result = std::get_if<protocol::FsStatResult>(&reply)) return *result;
  return err(ErrorKind::kProtocol, "unexpected reply to fs.stat");
}

std::string parent_of(const std::string& path) {
  std::string parent = path.substr(0, path.rfind('/'));
  return parent.empty() ? "/" : parent;
}

std::string child_of(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

Result<void> make_parents(PatchChannel& channel, const std::string& path) {
  std::string parent = parent_of(path);
  if (parent == "/") return {};
  return expect_done(channel.call(protocol::FsMkdir{parent, kDirMode, true}), "fs.mkdir");
}

Result<void> chmod(PatchChannel& channel, const std::string& path, uint32_t mode) {
  return expect_done(channel.call(protocol::FsChmod{path, mode}), "fs.chmod");
}

// The owner a patch asks for, on `path` itself (not a symlink's target); -1 leaves an id.
Result<void> chown(PatchChannel& channel, const RootfsPatch& patch, const std::string& path) {
  if (!patch.uid && !patch.gid) return {};
  int64_t uid = patch.uid ? int64_t(*patch.uid) : -1;
  int64_t gid = patch.gid ? int64_t(*patch.gid) : -1;
  return expect_done(channel.call(protocol::FsChown{path, uid, gid, false}), "fs.chown");
}

Result<void> remove(PatchChannel& channel, const std::string& path) {
  return expect_done(channel.call(protocol::FsRemove{path, true}), "fs.remove");
}

Result<void> write_bytes(PatchChannel& channel, const std::string& path, uint32_t mode,
                         const char* flags, std::string_view bytes) {
  bool sent = bytes.empty();
  return channel.write(protocol::FsWrite{path, mode, flags}, [&]() -> Result<std::string_view> {
    if (sent) return std::string_view();
    sent = true;
    return bytes;
  });
}

Result<void> write_host_file(PatchChannel& channel, const std::string& host,
                             const std::string& path, uint32_t mode) {
  os::Fd file = MSB_TRY(std::move(os::open_file(host, O_RDONLY)).context("host path {}", host));
  std::string buffer(kChunkBytes, '\0');
  return channel.write(
      protocol::FsWrite{path, mode, "create,truncate"}, [&]() -> Result<std::string_view> {
        size_t got = MSB_TRY(
            std::move(os::read_some(file.get(), buffer)).context("read host path {}", host));
        return std::string_view(buffer.data(), got);
      });
}

uint32_t host_mode(const fs::file_status& status) {
  return static_cast<uint32_t>(status.permissions()) & 07777;
}

// One entry of a host tree under copy_dir; directories queue their children.
Result<void> copy_entry(PatchChannel& channel, const RootfsPatch& patch, const std::string& host,
                        const std::string& guest,
                        std::vector<std::pair<std::string, std::string>>& pending) {
  std::error_code error;
  fs::file_status status = fs::symlink_status(host, error);
  if (error) return err(ErrorKind::kIo, "host path {}: {}", host, error.message());
  if (fs::is_symlink(status)) {
    fs::path target = fs::read_symlink(host, error);
    if (error) return err(ErrorKind::kIo, "readlink host path {}: {}", host, error.message());
    MSB_TRY(expect_done(channel.call(protocol::FsSymlink{target.string(), guest}), "fs.symlink"));
  } else if (fs::is_directory(status)) {
    uint32_t mode = guest == patch.path && patch.mode ? *patch.mode : host_mode(status);
    MSB_TRY(expect_done(channel.call(protocol::FsMkdir{guest, mode, true}), "fs.mkdir"));
    MSB_TRY(chmod(channel, guest, mode));
    for (const fs::directory_entry& child : fs::directory_iterator(host, error))
      pending.emplace_back(child.path().string(),
                           child_of(guest, child.path().filename().string()));
    if (error) return err(ErrorKind::kIo, "list host path {}: {}", host, error.message());
  } else if (fs::is_regular_file(status)) {
    MSB_TRY(write_host_file(channel, host, guest, host_mode(status)));
    MSB_TRY(chmod(channel, guest, host_mode(status)));
  } else {
    return {};  // devices, fifos and sockets are not copied
  }
  return chown(channel, patch, guest);
}

Result<void> copy_dir(PatchChannel& channel, const RootfsPatch& patch) {
  std::vector<std::pair<std::string, std::string>> pending = {{patch.source, patch.path}};
  while (!pending.empty()) {
    auto [host, guest] = std::move(pending.back());
    pending.pop_back();
    MSB_TRY(copy_entry(channel, patch, host, guest, pending));
  }
  return {};
}

// A file from bytes (text, file, append) or from the host (copy_file).
Result<void> write_file(PatchChannel& channel, const RootfsPatch& patch) {
  uint32_t mode = patch.mode.value_or(kFileMode);
  if (patch.kind == Kind::kCopyFile) {
    std::error_code error;
    fs::file_status status = fs::status(patch.source, error);
    if (error) return err(ErrorKind::kIo, "host path {}: {}", patch.source, error.message());
    mode = patch.mode.value_or(host_mode(status));
    MSB_TRY(write_host_file(channel, patch.source, patch.path, mode));
    MSB_TRY(chmod(channel, patch.path, mode));
  } else {
    const char* flags = patch.kind == Kind::kAppend ? "create,append" : "create,truncate";
    MSB_TRY(write_bytes(channel, patch.path, mode, flags, patch.content));
    // A file that was there keeps its mode unless the patch names one.
    if (patch.mode) MSB_TRY(chmod(channel, patch.path, *patch.mode));
  }
  return chown(channel, patch, patch.path);
}

Result<void> apply_one(PatchChannel& channel, const RootfsPatch& patch) {
  if (patch.kind == Kind::kRemove) {
    if (!MSB_TRY(stat(channel, patch.path)).exists) return {};
    return remove(channel, patch.path);
  }
  bool exists = MSB_TRY(stat(channel, patch.path)).exists;
  if (exists && !patch.replace && patch.kind != Kind::kAppend)
    return err(ErrorKind::kAlreadyExists, "{} already exists and replace is off",
               shown(patch.path));
  MSB_TRY(make_parents(channel, patch.path));
  switch (patch.kind) {
    case Kind::kMkdir:
      MSB_TRY(expect_done(
          channel.call(protocol::FsMkdir{patch.path, patch.mode.value_or(kDirMode), true}),
          "fs.mkdir"));
      if (patch.mode) MSB_TRY(chmod(channel, patch.path, *patch.mode));
      return chown(channel, patch, patch.path);
    case Kind::kSymlink:
      if (exists) MSB_TRY(remove(channel, patch.path));
      MSB_TRY(
          expect_done(channel.call(protocol::FsSymlink{patch.target, patch.path}), "fs.symlink"));
      return chown(channel, patch, patch.path);
    case Kind::kCopyDir:
      // The tree replaces what is there, as a fresh directory would.
      if (exists) MSB_TRY(remove(channel, patch.path));
      return copy_dir(channel, patch);
    default:
      return write_file(channel, patch);
  }
}

// Errors about the sandbox itself keep their kind; the rest are this patch's fault.
bool is_transport_error(ErrorKind kind) {
  return kind == ErrorKind::kBootFailed || kind == ErrorKind::kCancelled ||
         kind == ErrorKind::kTimeout || kind == ErrorKind::kProtocol;
}

}  // namespace

Result<void> apply_patches(PatchChannel& channel, const std::vector<RootfsPatch>& patches) {
  for (size_t index = 0; index < patches.size(); ++index) {
    Result<void> applied = apply_one(channel, patches[index]);
    if (applied) continue;
    Error error = applied.error();
    error.message = config::describe_patch(index, patches[index]) + ": " + error.message;
    if (!is_transport_error(error.kind)) error.kind = ErrorKind::kInvalidConfig;
    return tl::unexpected(std::move(error));
  }
  return {};
}

Result<protocol::Message> SessionPatchChannel::reply(uint32_t id) {
  for (;;) {
    protocol::Envelope envelope = MSB_TRY(session_.next(timeout_));
    if (envelope.id != id) continue;
    if (auto* failed = std::get_if<protocol::FsError>(&envelope.message))
      return make_error(ErrorKind::kIo, failed->message, failed->errno_value);
    if (auto* error = std::get_if<protocol::CoreError>(&envelope.message))
      return err(ErrorKind::kProtocol, "the agent rejected the request: {}", error->message);
    return std::move(envelope.message);
  }
}

Result<protocol::Message> SessionPatchChannel::call(const protocol::Message& request) {
  uint32_t id = next_id_++;
  MSB_TRY(session_.connection().send(id, protocol::kFlagSessionStart, request));
  return reply(id);
}

Result<void> SessionPatchChannel::write(const protocol::FsWrite& begin, const ChunkSource& source) {
  uint32_t id = next_id_++;
  protocol::FrameConnection& connection = session_.connection();
  MSB_TRY(connection.send(id, protocol::kFlagSessionStart, begin));
  for (;;) {
    std::string_view chunk = MSB_TRY(source());
    if (chunk.empty()) break;
    MSB_TRY(connection.send(id, 0, protocol::FsData{{std::string(chunk)}}));
    // The agent writes as it reads: waiting for the socket keeps one chunk in flight.
    MSB_TRY(connection.flush_all(static_cast<int>(timeout_.count())));
  }
  MSB_TRY(connection.send(id, 0, protocol::FsClose{}));
  protocol::Message answer = MSB_TRY(reply(id));
  if (std::holds_alternative<protocol::FsDone>(answer)) return {};
  return err(ErrorKind::kProtocol, "unexpected reply to fs.write");
}

}  // namespace msb::runtime
