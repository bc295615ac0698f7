#include "image/archive_tree.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <memory>
#include <vector>

#include "image/archive_api.h"
#include "image/digest.h"
#include "os/file_status.h"
#include "os/fs_calls.h"
#include "os/io.h"

namespace msb::image {
namespace {

constexpr size_t kCopyBufferBytes = 1 << 20;

struct ArchiveFree {
  void operator()(archive* a) const { libarchive().read_free(a); }
};

std::string archive_message(archive* a) {
  const char* text = libarchive().error_string(a);
  return text != nullptr ? text : "unknown libarchive error";
}

std::string parent_of(const std::string& name) {
  size_t slash = name.rfind('/');
  return slash == std::string::npos ? "" : name.substr(0, slash);
}

// Splits `path` into components, resolving "." always and ".." lexically when
// `allow_parent`; fails when a ".." would climb above the archive's root.
Result<std::vector<std::string>> components(std::string_view path, bool allow_parent) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    start = end + 1;
    if (part.empty() || part == ".") continue;
    if (part != "..") {
      parts.emplace_back(part);
      continue;
    }
    if (!allow_parent || parts.empty())
      return err(ErrorKind::kInvalidArgument, "path \"{}\" escapes the archive", path);
    parts.pop_back();
  }
  return parts;
}

std::string join(const std::vector<std::string>& parts) {
  std::string joined;
  for (const std::string& part : parts) joined += (joined.empty() ? "" : "/") + part;
  return joined;
}

// Where symlink `name` -> `target` points, as an archive name.
Result<std::string> link_destination(const std::string& name, std::string_view target) {
  if (target.starts_with("/"))
    return err(ErrorKind::kInvalidArgument, "symlink {} -> {} escapes the archive", name, target);
  std::string path = parent_of(name);
  path += (path.empty() ? "" : "/") + std::string(target);
  return join(MSB_TRY(components(path, true)));
}

Result<void> copy_fd(int from, int to) {
  std::vector<char> buffer(kCopyBufferBytes);
  for (;;) {
    size_t got = MSB_TRY(os::read_some(from, buffer));
    if (got == 0) return {};
    MSB_TRY(os::write_all(to, std::string_view(buffer.data(), got)));
  }
}

}  // namespace

Result<std::string> normalize_archive_path(std::string_view path) {
  if (path.starts_with("/"))
    return err(ErrorKind::kInvalidArgument, "absolute path \"{}\" in the archive", path);
  return join(MSB_TRY(components(path, false)));
}

Result<ArchiveTree> ArchiveTree::extract(const std::string& tar_path,
                                         const std::string& staging_parent) {
  MSB_TRY(archive_api());
  MSB_TRY(Sha256::available());
  // Fail on a missing or unreadable file with its errno kind before libarchive hides it.
  (void)MSB_TRY(os::open_file(tar_path, O_RDONLY));
  MSB_TRY(os::make_dirs(staging_parent));
  os::TempDir staging = MSB_TRY(os::TempDir::create("archive-", staging_parent));
  os::Fd root_fd = MSB_TRY(os::open_file(staging.path(), O_RDONLY | O_DIRECTORY));
  ArchiveTree tree(tar_path, staging.path(), std::move(root_fd));
  tree.staging_.emplace(std::move(staging));

  std::unique_ptr<archive, ArchiveFree> tar(libarchive().read_new());
  MSB_CHECK(tar != nullptr);
  libarchive().read_support_filter_gzip(tar.get());
  libarchive().read_support_filter_zstd(tar.get());
  libarchive().read_support_format_tar(tar.get());
  if (libarchive().read_open_filename(tar.get(), tar_path.c_str(), kCopyBufferBytes) !=
      ARCHIVE_OK) {
    return err(ErrorKind::kInvalidArgument, "read archive {}: {}", tar_path,
               archive_message(tar.get()));
  }
  MSB_TRY(tree.stage_entries(tar.get()).context("read archive {}", tar_path));
  return tree;
}

Result<void> ArchiveTree::stage_entries(archive* tar) {
  std::vector<char> buffer(kCopyBufferBytes);
  for (size_t count = 0;; ++count) {
    archive_entry* entry = nullptr;
    int status = libarchive().read_next_header(tar, &entry);
    if (status == ARCHIVE_EOF) return {};
    if (status < ARCHIVE_WARN)
      return err(ErrorKind::kInvalidArgument, "damaged or truncated: {}", archive_message(tar));
    if (count >= kMaxArchiveEntries)
      return err(ErrorKind::kInvalidArgument, "more than {} entries", kMaxArchiveEntries);
    const char* raw_name = libarchive().entry_pathname(entry);
    if (raw_name == nullptr) return err(ErrorKind::kInvalidArgument, "an entry has no name");
    std::string name = MSB_TRY(normalize_archive_path(raw_name));
    if (name.empty()) continue;
    if (aliases_.contains(name) || os::stat_at(root_fd_.get(), name, false).has_value())
      return err(ErrorKind::kInvalidArgument, "duplicate entry {}", name);
    if (const char* hardlink = libarchive().entry_hardlink(entry); hardlink != nullptr) {
      aliases_[name] = MSB_TRY(normalize_archive_path(hardlink));
      continue;
    }
    switch (libarchive().entry_filetype(entry)) {
      case AE_IFDIR:
        MSB_TRY(os::make_dirs(root_ + "/" + name));
        continue;
      case AE_IFLNK: {
        const char* target = libarchive().entry_symlink(entry);
        aliases_[name] = MSB_TRY(link_destination(name, target != nullptr ? target : ""));
        continue;
      }
      case AE_IFREG:
        break;
      default:
        return err(ErrorKind::kInvalidArgument, "entry {} is not a file, directory or link", name);
    }
    // SECURITY: the staging directory holds only directories and files made here, so
    // neither the parents created nor the file opened beneath it can lead outside.
    MSB_TRY(os::make_dirs(root_ + "/" + parent_of(name)));
    os::Fd file =
        MSB_TRY(os::open_beneath(root_fd_.get(), name, O_WRONLY | O_CREAT | O_EXCL, 0600));
    for (;;) {
      la_ssize_t got = libarchive().read_data(tar, buffer.data(), buffer.size());
      if (got < 0)
        return err(ErrorKind::kInvalidArgument, "entry {} is damaged or truncated: {}", name,
                   archive_message(tar));
      if (got == 0) break;
      MSB_TRY(os::write_all(file.get(), std::string_view(buffer.data(), got)));
    }
  }
}

Result<ArchiveTree> ArchiveTree::open_directory(const std::string& dir) {
  os::Fd root_fd = MSB_TRY(os::open_file(dir, O_RDONLY | O_DIRECTORY));
  return ArchiveTree(dir, dir, std::move(root_fd));
}

Result<std::string> ArchiveTree::resolve(std::string_view name) const {
  std::string resolved = MSB_TRY(normalize_archive_path(name));
  for (size_t hops = 0;; ++hops) {
    auto alias = aliases_.find(resolved);
    if (alias == aliases_.end()) return resolved;
    if (hops == kMaxArchiveLinkHops)
      return err(ErrorKind::kInvalidArgument, "{}: too many levels of links", name);
    resolved = alias->second;
  }
}

bool ArchiveTree::contains(std::string_view name) const { return size(name).has_value(); }

Result<os::Fd> ArchiveTree::open(std::string_view name) const {
  std::string resolved = MSB_TRY(resolve(name));
  Result<os::Fd> fd = os::open_beneath(root_fd_.get(), resolved, O_RDONLY);
  if (!fd) return err(ErrorKind::kNotFound, "{} has no file {}", source_, name);
  os::FileStatus status = MSB_TRY(os::stat_fd(fd->get()));
  if (!S_ISREG(status.mode))
    return err(ErrorKind::kNotFound, "{} in {} is not a regular file", name, source_);
  return std::move(*fd);
}

Result<uint64_t> ArchiveTree::size(std::string_view name) const {
  os::Fd fd = MSB_TRY(open(name));
  return MSB_TRY(os::stat_fd(fd.get())).size;
}

Result<std::string> ArchiveTree::read_small(std::string_view name, size_t max_bytes) const {
  os::Fd fd = MSB_TRY(open(name));
  uint64_t size = MSB_TRY(os::stat_fd(fd.get())).size;
  if (size > max_bytes)
    return err(ErrorKind::kInvalidArgument, "{} is {} bytes, more than the {} allowed", name, size,
               max_bytes);
  return os::read_to_end(fd.get());
}

Result<void> ArchiveTree::take(std::string_view name, const std::string& destination) const {
  std::string resolved = MSB_TRY(resolve(name));
  if (staging_) {
    Result<void> moved = os::rename_at(root_fd_.get(), resolved, AT_FDCWD, destination);
    if (moved || moved.error().sys_errno != EXDEV) return moved;
  }
  os::Fd from = MSB_TRY(open(name));
  os::Fd to = MSB_TRY(os::open_file(destination, O_WRONLY | O_CREAT | O_TRUNC, 0644));
  return copy_fd(from.get(), to.get());
}

}  // namespace msb::image
