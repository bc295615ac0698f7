#include "runtime/rootfs_patches.h"

#include <filesystem>
#include <string>

#include "common/shown.h"
#include "runtime/host_upload.h"

namespace msb::runtime {
namespace {

namespace fs = std::filesystem;
using config::RootfsPatch;
using Kind = RootfsPatch::Kind;

constexpr size_t kChunkBytes = 256 * 1024;
constexpr uint32_t kFileMode = 0644;
constexpr uint32_t kDirMode = 0755;

Result<protocol::FsStatResult> stat(GuestFsChannel& channel, const std::string& path) {
  protocol::Message reply = MSB_TRY(channel.call(protocol::FsStat{path, false}));
  if (auto* result = std::get_if<protocol::FsStatResult>(&reply)) return *result;
  return err(ErrorKind::kProtocol, "unexpected reply to fs.stat");
}

std::string parent_of(const std::string& path) {
  std::string parent = path.substr(0, path.rfind('/'));
  return parent.empty() ? "/" : parent;
}

Result<void> make_parents(GuestFsChannel& channel, const std::string& path) {
  std::string parent = parent_of(path);
  if (parent == "/") return {};
  return call_done(channel, protocol::FsMkdir{parent, kDirMode, true});
}

Result<void> chmod(GuestFsChannel& channel, const std::string& path, uint32_t mode) {
  return call_done(channel, protocol::FsChmod{path, mode});
}

// The owner a patch asks for, on `path` itself (not a symlink's target); -1 leaves an id.
Result<void> chown(GuestFsChannel& channel, const RootfsPatch& patch, const std::string& path) {
  if (!patch.uid && !patch.gid) return {};
  int64_t uid = patch.uid ? int64_t(*patch.uid) : -1;
  int64_t gid = patch.gid ? int64_t(*patch.gid) : -1;
  return call_done(channel, protocol::FsChown{path, uid, gid, false});
}

Result<void> remove(GuestFsChannel& channel, const std::string& path) {
  return call_done(channel, protocol::FsRemove{path, true});
}

Result<void> write_bytes(GuestFsChannel& channel, const std::string& path, uint32_t mode,
                         const char* flags, std::string_view bytes) {
  bool sent = bytes.empty();
  return channel.write(protocol::FsWrite{path, mode, flags}, [&]() -> Result<std::string_view> {
    if (sent) return std::string_view();
    sent = true;
    return bytes;
  });
}

// The host tree under the patch's path: its own mode on top if it names one, its owner on
// every entry.
Result<void> copy_dir(GuestFsChannel& channel, const RootfsPatch& patch) {
  HostUpload upload;
  upload.chunk_bytes = kChunkBytes;
  upload.root_mode = patch.mode;
  upload.after_entry = [&](const std::string& guest) { return chown(channel, patch, guest); };
  return upload_host_tree(channel, patch.source, patch.path, upload);
}

// A file from bytes (text, file, append) or from the host (copy_file).
Result<void> write_file(GuestFsChannel& channel, const RootfsPatch& patch) {
  uint32_t mode = patch.mode.value_or(kFileMode);
  if (patch.kind == Kind::kCopyFile) {
    std::error_code error;
    fs::file_status status = fs::status(patch.source, error);
    if (error) return err(ErrorKind::kIo, "host path {}: {}", patch.source, error.message());
    mode = patch.mode.value_or(static_cast<uint32_t>(status.permissions()) & 07777);
    MSB_TRY(upload_host_file(channel, patch.source, patch.path, mode, kChunkBytes));
  } else {
    const char* flags = patch.kind == Kind::kAppend ? "create,append" : "create,truncate";
    MSB_TRY(write_bytes(channel, patch.path, mode, flags, patch.content));
    // A file that was there keeps its mode unless the patch names one.
    if (patch.mode) MSB_TRY(chmod(channel, patch.path, *patch.mode));
  }
  return chown(channel, patch, patch.path);
}

Result<void> apply_one(GuestFsChannel& channel, const RootfsPatch& patch) {
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
      MSB_TRY(
          call_done(channel, protocol::FsMkdir{patch.path, patch.mode.value_or(kDirMode), true}));
      if (patch.mode) MSB_TRY(chmod(channel, patch.path, *patch.mode));
      return chown(channel, patch, patch.path);
    case Kind::kSymlink:
      if (exists) MSB_TRY(remove(channel, patch.path));
      MSB_TRY(call_done(channel, protocol::FsSymlink{patch.target, patch.path}));
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

Result<void> apply_patches(GuestFsChannel& channel, const std::vector<RootfsPatch>& patches) {
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
