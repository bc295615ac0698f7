#include "image/tree_archive.h"

#include <fcntl.h>

#include <algorithm>
#include <optional>
#include <string_view>

#include "common/split.h"
#include "image/archive_handles.h"
#include "os/file.h"
#include "os/fs_calls.h"

namespace msb::image {
namespace {

constexpr size_t kReadBlock = 1 << 20;

struct ResolverFree {
  void operator()(archive_entry_linkresolver* r) const { libarchive().entry_linkresolver_free(r); }
};

// The name of `path` inside `dir`: "." for `dir` itself.
std::string relative_name(const std::string& dir, std::string_view path) {
  if (path == dir) return ".";
  if (path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/')
    return std::string(path.substr(dir.size() + 1));
  return std::string(path);
}

// The name as stored without a directory's trailing slash ("etc/" -> "etc", "./" -> ".").
std::string_view without_trailing_slash(std::string_view name) {
  if (name.size() > 1 && name.back() == '/') name.remove_suffix(1);
  return name;
}

// A name the archive may hold (after without_trailing_slash): ".", or relative without
// ".", ".." or empty components.
bool is_safe_name(std::string_view name) {
  if (name == ".") return true;
  if (name.empty() || name.front() == '/') return false;
  for (std::string_view part : split(name, '/'))
    if (part.empty() || part == "." || part == "..") return false;
  return true;
}

bool is_whiteout(archive_entry* entry) {
  return libarchive().entry_filetype(entry) == AE_IFCHR &&
         libarchive().entry_rdevmajor(entry) == 0 && libarchive().entry_rdevminor(entry) == 0;
}

// Types a root filesystem layer holds; a whiteout is the only device.
bool is_allowed_type(archive_entry* entry) {
  switch (libarchive().entry_filetype(entry)) {
    case AE_IFREG:
    case AE_IFDIR:
    case AE_IFLNK:
    case AE_IFIFO:
      return true;
    default:
      return is_whiteout(entry);
  }
}

// Writes the data of the file `disk` is at to `tar`, its holes as zeros
// (archive_write_zeros).
Result<void> copy_file_data(archive* disk, archive* tar, const std::string& name) {
  int64_t position = 0;
  for (;;) {
    const void* data = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    int status = libarchive().read_data_block(disk, &data, &size, &offset);
    if (status == ARCHIVE_EOF) return {};
    if (status != ARCHIVE_OK)
      return err(ErrorKind::kIo, "read {}: {}", name, archive_message(disk));
    if (position < offset) {
      MSB_TRY(std::move(archive_write_zeros(tar, static_cast<uint64_t>(offset - position)))
                  .context("write {}", name));
      position = offset;
    }
    if (size > 0 && libarchive().write_data(tar, data, size) < 0)
      return err(ErrorKind::kIo, "write {}: {}", name, archive_message(tar));
    position += static_cast<int64_t>(size);
  }
}

// Guest id of host id `id`, or nullopt outside the range.
std::optional<int64_t> guest_id(int64_t id, uint32_t base, uint32_t count) {
  if (id < base || id >= int64_t{base} + count) return std::nullopt;
  return id - base;
}

}  // namespace

Result<uint64_t> write_tree_archive(const std::string& dir, const std::string& out,
                                    const TreeIds& ids) {
  MSB_TRY(archive_api());
  Result<uint64_t> written = [&]() -> Result<uint64_t> {
    ArchiveReader disk(libarchive().read_disk_new());
    MSB_CHECK(disk != nullptr);
    libarchive().read_disk_set_symlink_physical(disk.get());
    libarchive().read_disk_set_behavior(disk.get(), ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
    if (libarchive().read_disk_open(disk.get(), dir.c_str()) != ARCHIVE_OK)
      return err(ErrorKind::kNotFound, "{}", archive_message(disk.get()));
    os::Fd fd = MSB_TRY(os::open_file(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    ArchiveWriter tar(libarchive().write_new());
    MSB_CHECK(tar != nullptr);
    libarchive().write_set_format_pax_restricted(tar.get());
    if (libarchive().write_open_fd(tar.get(), fd.get()) != ARCHIVE_OK)
      return err(ErrorKind::kIo, "{}", archive_message(tar.get()));
    std::unique_ptr<archive_entry_linkresolver, ResolverFree> links(
        libarchive().entry_linkresolver_new());
    libarchive().entry_linkresolver_set_strategy(links.get(), ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
    uint64_t count = 0;
    for (;;) {
      ArchiveEntry entry(libarchive().entry_new());
      int status = libarchive().read_next_header2(disk.get(), entry.get());
      if (status == ARCHIVE_EOF) break;
      if (status != ARCHIVE_OK && status != ARCHIVE_WARN)
        return err(ErrorKind::kIo, "{}", archive_message(disk.get()));
      std::string name = relative_name(dir, libarchive().entry_pathname(entry.get()));
      if (!is_allowed_type(entry.get()))
        return err(ErrorKind::kInvalidArgument, "{}: a socket or device cannot be archived", name);
      std::optional<int64_t> uid =
          guest_id(libarchive().entry_uid(entry.get()), ids.uid_base, ids.count);
      std::optional<int64_t> gid =
          guest_id(libarchive().entry_gid(entry.get()), ids.gid_base, ids.count);
      // Overlayfs makes whiteouts with the mounter's ids, which need not be the sandbox's;
      // a whiteout's owner means nothing.
      if (is_whiteout(entry.get())) uid = gid = 0;
      if (!uid || !gid)
        return err(ErrorKind::kInvalidArgument, "{}: owner {}:{} is not one of the sandbox's ids",
                   name, libarchive().entry_uid(entry.get()), libarchive().entry_gid(entry.get()));
      libarchive().entry_set_uid(entry.get(), *uid);
      libarchive().entry_set_gid(entry.get(), *gid);
      libarchive().entry_set_pathname(entry.get(), name.c_str());
      archive_entry* linked = entry.get();
      archive_entry* spare = nullptr;
      libarchive().entry_linkify(links.get(), &linked, &spare);
      MSB_CHECK(linked == entry.get() && spare == nullptr);  // the tar strategy defers nothing
      if (libarchive().write_header(tar.get(), entry.get()) != ARCHIVE_OK)
        return err(ErrorKind::kIo, "{}: {}", name, archive_message(tar.get()));
      // A second name of a file already written is a link entry without data.
      if (libarchive().entry_filetype(entry.get()) == AE_IFREG &&
          libarchive().entry_hardlink(entry.get()) == nullptr)
        MSB_TRY(copy_file_data(disk.get(), tar.get(), name));
      if (libarchive().entry_filetype(entry.get()) == AE_IFDIR)
        libarchive().read_disk_descend(disk.get());
      ++count;
    }
    if (libarchive().write_close(tar.get()) != ARCHIVE_OK)
      return err(ErrorKind::kIo, "{}", archive_message(tar.get()));
    MSB_TRY(os::sync_fd(fd.get()));
    return count;
  }();
  if (!written) (void)os::remove_file(out);
  return std::move(written).context("archive {} to {}", dir, out);
}

Result<void> extract_tree_archive(const std::string& archive_path, const std::string& dir,
                                  const TreeIds& ids) {
  MSB_TRY(archive_api());
  Result<void> extracted = [&]() -> Result<void> {
    // libarchive's symlink check walks every component of the names it is given: the
    // destination itself must have none.
    std::string root = MSB_TRY(os::resolve_path(dir));
    (void)MSB_TRY(os::open_file(archive_path, O_RDONLY | O_CLOEXEC));  // kNotFound first
    ArchiveReader tar(libarchive().read_new());
    MSB_CHECK(tar != nullptr);
    libarchive().read_support_format_tar(tar.get());
    if (libarchive().read_open_filename(tar.get(), archive_path.c_str(), kReadBlock) != ARCHIVE_OK)
      return err(ErrorKind::kInvalidArgument, "not a tar archive: {}", archive_message(tar.get()));
    ArchiveWriter disk(libarchive().write_disk_new());
    MSB_CHECK(disk != nullptr);
    libarchive().write_disk_set_options(
        disk.get(), ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                        ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_SPARSE |
                        ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT);
    for (;;) {
      archive_entry* entry = nullptr;
      int status = libarchive().read_next_header(tar.get(), &entry);
      if (status == ARCHIVE_EOF) break;
      if (status != ARCHIVE_OK)
        return err(ErrorKind::kInvalidArgument, "{}", archive_message(tar.get()));
      std::string name(without_trailing_slash(libarchive().entry_pathname(entry)));
      if (!is_safe_name(name))
        return err(ErrorKind::kInvalidArgument, "entry '{}': not a name inside the tree", name);
      // A hard link carries no type of its own: it names an entry extracted before.
      if (libarchive().entry_hardlink(entry) == nullptr && !is_allowed_type(entry))
        return err(ErrorKind::kInvalidArgument, "entry '{}': a device or socket", name);
      int64_t uid = libarchive().entry_uid(entry);
      int64_t gid = libarchive().entry_gid(entry);
      if (uid < 0 || gid < 0 || uid >= ids.count || gid >= ids.count)
        return err(ErrorKind::kInvalidArgument, "entry '{}': owner {}:{} outside 0..{}", name, uid,
                   gid, ids.count - 1);
      libarchive().entry_set_uid(entry, ids.uid_base + uid);
      libarchive().entry_set_gid(entry, ids.gid_base + gid);
      std::string path = name == "." ? root : root + "/" + name;
      libarchive().entry_set_pathname(entry, path.c_str());
      if (const char* target = libarchive().entry_hardlink(entry)) {
        if (!is_safe_name(without_trailing_slash(target)) || std::string_view(target) == ".")
          return err(ErrorKind::kInvalidArgument, "entry '{}': link to '{}' outside the tree", name,
                     target);
        std::string target_path = root + "/" + target;
        libarchive().entry_set_hardlink(entry, target_path.c_str());
      }
      if (libarchive().write_header(disk.get(), entry) != ARCHIVE_OK)
        return err(ErrorKind::kInvalidArgument, "entry '{}': {}", name,
                   archive_message(disk.get()));
      for (;;) {
        const void* data = nullptr;
        size_t size = 0;
        la_int64_t offset = 0;
        int read = libarchive().read_data_block(tar.get(), &data, &size, &offset);
        if (read == ARCHIVE_EOF) break;
        if (read != ARCHIVE_OK)
          return err(ErrorKind::kInvalidArgument, "entry '{}': {}", name,
                     archive_message(tar.get()));
        if (libarchive().write_data_block(disk.get(), data, size, offset) != ARCHIVE_OK)
          return err(ErrorKind::kIo, "entry '{}': {}", name, archive_message(disk.get()));
      }
      if (libarchive().write_finish_entry(disk.get()) != ARCHIVE_OK)
        return err(ErrorKind::kIo, "entry '{}': {}", name, archive_message(disk.get()));
    }
    // Directory modes and times are set last, when they can no longer block a write.
    if (libarchive().write_close(disk.get()) != ARCHIVE_OK)
      return err(ErrorKind::kIo, "{}", archive_message(disk.get()));
    return {};
  }();
  return std::move(extracted).context("extract {} into {}", archive_path, dir);
}

}  // namespace msb::image
