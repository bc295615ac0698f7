#include "image/layer_unpack.h"

#include <fcntl.h>

#include <utility>
#include <vector>

#include "image/archive_api.h"
#include "image/archive_handles.h"
#include "image/digest.h"
#include "image/entry_path.h"
#include "image/layer_reader.h"
#include "image/space_guard.h"
#include "image/whiteout.h"
#include "os/fd.h"
#include "os/fs_calls.h"

namespace msb::image {
namespace {

// SECURITY: the writer refuses ".." and any path through a symlink (even for hardlink
// targets), and removes a symlink before replacing it rather than writing through it. Ids
// stay numeric: there is no user-name lookup.
constexpr int kWriteFlags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER |
                            ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_UNLINK |
                            ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS;

using Writer = ArchiveWriter;

// The entry's name as stored (UTF-8 when the locale cannot represent it).
std::string raw_name(const char* local, const char* utf8) {
  if (local != nullptr) return local;
  return utf8 != nullptr ? utf8 : "";
}

// SECURITY: overlayfs reads trusted.overlay.* as its own metadata (opaque, redirect,
// metacopy); a layer must not be able to set them.
void drop_overlay_xattrs(archive_entry* entry) {
  std::vector<std::pair<std::string, std::string>> kept;
  libarchive().entry_xattr_reset(entry);
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (libarchive().entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
    if (std::string_view(name).starts_with("trusted.overlay.")) continue;
    kept.emplace_back(name, std::string(static_cast<const char*>(value), size));
  }
  libarchive().entry_xattr_clear(entry);
  for (const auto& [key, data] : kept)
    libarchive().entry_xattr_add_entry(entry, key.c_str(), data.data(), data.size());
}

// Points the entry (and its hardlink target) at absolute paths under `root`.
Result<void> place_entry(archive_entry* entry, const std::string& root, const std::string& path) {
  libarchive().entry_copy_pathname(entry,
                                   path.empty() ? root.c_str() : (root + "/" + path).c_str());
  if (libarchive().entry_hardlink(entry) != nullptr ||
      libarchive().entry_hardlink_utf8(entry) != nullptr) {
    std::string target = MSB_TRY(clean_entry_path(
        raw_name(libarchive().entry_hardlink(entry), libarchive().entry_hardlink_utf8(entry))));
    if (target.empty()) return err(ErrorKind::kInvalidArgument, "hardlink to the layer root");
    libarchive().entry_copy_hardlink(entry, (root + "/" + target).c_str());
  }
  if (libarchive().entry_filetype(entry) == AE_IFLNK) {
    libarchive().entry_copy_symlink(
        entry, raw_name(libarchive().entry_symlink(entry), libarchive().entry_symlink_utf8(entry))
                   .c_str());
  }
  drop_overlay_xattrs(entry);
  return {};
}

Result<void> copy_data(archive* tar, archive* writer) {
  for (;;) {
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    int read = libarchive().read_data_block(tar, &block, &size, &offset);
    if (read == ARCHIVE_EOF) return {};
    if (read != ARCHIVE_OK) return err(ErrorKind::kInvalidArgument, "{}", archive_message(tar));
    if (libarchive().write_data_block(writer, block, size, offset) != ARCHIVE_OK)
      return err(ErrorKind::kIo, "{}", archive_message(writer));
  }
}

Result<void> write_entry(archive* tar, archive* writer, archive_entry* entry) {
  if (libarchive().write_header(writer, entry) != ARCHIVE_OK)
    return err(ErrorKind::kInvalidArgument, "{}", archive_message(writer));
  if (libarchive().entry_size(entry) > 0) MSB_TRY(copy_data(tar, writer));
  if (libarchive().write_finish_entry(writer) != ARCHIVE_OK)
    return err(ErrorKind::kIo, "{}", archive_message(writer));
  return {};
}

// One tar entry: a whiteout, or something to create under `root`.
Result<void> unpack_entry(archive* tar, archive* writer, archive_entry* entry, int root_fd,
                          const std::string& root, SpaceGuard& space) {
  std::string name =
      raw_name(libarchive().entry_pathname(entry), libarchive().entry_pathname_utf8(entry));
  std::string path = MSB_TRY(clean_entry_path(name));
  if (libarchive().entry_size(entry) > 0)
    MSB_TRY(space.admit(name, static_cast<uint64_t>(libarchive().entry_size(entry))));
  if (is_whiteout(path)) return apply_whiteout(root_fd, path);
  if (libarchive().entry_filetype(entry) == AE_IFSOCK) return {};  // not restorable; never needed
  MSB_TRY(place_entry(entry, root, path).context("entry {}", name));
  return std::move(write_entry(tar, writer, entry)).context("entry {}", name);
}

Result<void> unpack_entries(LayerReader& reader, const std::string& root) {
  os::Fd root_fd = MSB_TRY(os::open_at(AT_FDCWD, root, O_RDONLY | O_DIRECTORY));
  Writer writer(libarchive().write_disk_new());
  MSB_CHECK(writer != nullptr);
  libarchive().write_disk_set_options(writer.get(), kWriteFlags);
  SpaceGuard space(root_fd.get());
  for (;;) {
    archive_entry* entry = nullptr;
    int read = libarchive().read_next_header(reader.tar(), &entry);
    if (read == ARCHIVE_EOF) break;
    // ARCHIVE_WARN: e.g. a name not representable in the locale; the entry is usable.
    if (read != ARCHIVE_OK && read != ARCHIVE_WARN) return tl::unexpected(reader.read_error());
    Result<void> unpacked =
        unpack_entry(reader.tar(), writer.get(), entry, root_fd.get(), root, space);
    // A read that failed inside an entry's data: the source's error says why.
    if (!unpacked && reader.read_failed()) return tl::unexpected(reader.read_error());
    MSB_TRY(std::move(unpacked));
  }
  // Directory modes and times are applied last, once nothing is created in them any more.
  if (libarchive().write_close(writer.get()) != ARCHIVE_OK)
    return err(ErrorKind::kIo, "{}", archive_message(writer.get()));
  return {};
}

}  // namespace

Result<void> unpack_layer(const std::string& blob_path, const std::string& root,
                          const std::string& diff_id,
                          const std::function<void(uint64_t)>& progress) {
  MSB_TRY(digest_hex(diff_id));
  std::unique_ptr<ByteSource> source = MSB_TRY(FileSource::open(blob_path, progress));
  return unpack_layer(std::move(source), root, diff_id);
}

Result<void> unpack_layer(std::unique_ptr<ByteSource> source, const std::string& root,
                          const std::string& diff_id) {
  MSB_TRY(digest_hex(diff_id));
  // libarchive checks every component for symlinks, those of `root` included.
  std::string real_root = MSB_TRY(os::resolve_path(root));
  std::unique_ptr<LayerReader> reader =
      MSB_TRY(std::move(LayerReader::open(std::move(source))).context("unpack layer {}", diff_id));
  MSB_TRY(unpack_entries(*reader, real_root).context("unpack layer {}", diff_id));
  std::string actual = MSB_TRY(reader->finish().context("unpack layer {}", diff_id));
  if (actual != diff_id) {
    return err(ErrorKind::kIntegrity, "unpack layer: diff_id mismatch: expected {}, got {}",
               diff_id, actual);
  }
  return {};
}

}  // namespace msb::image
