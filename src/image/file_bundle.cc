#include "image/file_bundle.h"

#include <fcntl.h>

#include <algorithm>
#include <vector>

#include "image/archive_handles.h"
#include "os/file.h"
#include "os/fs_calls.h"
#include "os/sparse_copy.h"

namespace msb::image {
namespace {

constexpr size_t kBlock = 1 << 20;

Result<void> write_bytes(archive* tar, const void* data, size_t size) {
  if (libarchive().write_data(tar, data, size) < 0)
    return err(ErrorKind::kIo, "{}", archive_message(tar));
  return {};
}

// Writes one file: its sparse map in the header, then its bytes in order, the holes as
// zeros (archive_write_zeros).
Result<void> write_file(archive* tar, const BundleFile& file) {
  os::Fd fd = MSB_TRY(os::open_file(file.path, O_RDONLY | O_CLOEXEC));
  os::FileStatus status = MSB_TRY(os::stat_fd(fd.get()));
  uint64_t size = status.size;
  std::vector<os::DataRange> ranges = MSB_TRY(os::data_ranges(fd.get(), size));
  ArchiveEntry entry(libarchive().entry_new());
  libarchive().entry_set_pathname(entry.get(), file.name.c_str());
  libarchive().entry_set_filetype(entry.get(), AE_IFREG);
  libarchive().entry_set_perm(entry.get(), 0600);
  libarchive().entry_set_size(entry.get(), static_cast<la_int64_t>(size));
  libarchive().entry_set_mtime(entry.get(), status.mtime_ns / 1000000000,
                               status.mtime_ns % 1000000000);
  bool sparse = !(ranges.size() == 1 && ranges[0].offset == 0 && ranges[0].length == size);
  if (sparse) {
    for (const os::DataRange& range : ranges)
      libarchive().entry_sparse_add_entry(entry.get(), static_cast<la_int64_t>(range.offset),
                                          static_cast<la_int64_t>(range.length));
    // A file that ends in a hole: an empty range at the end keeps its size.
    if (ranges.empty() || ranges.back().offset + ranges.back().length < size)
      libarchive().entry_sparse_add_entry(entry.get(), static_cast<la_int64_t>(size), 0);
  }
  if (libarchive().write_header(tar, entry.get()) != ARCHIVE_OK)
    return err(ErrorKind::kIo, "{}", archive_message(tar));
  std::vector<char> buffer(kBlock);
  uint64_t position = 0;
  for (const os::DataRange& range : ranges) {
    MSB_TRY(archive_write_zeros(tar, range.offset - position));
    position = range.offset;
    for (uint64_t end = range.offset + range.length; position < end;) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(end - position, buffer.size()));
      size_t got = MSB_TRY(os::read_at_offset(fd.get(), std::span(buffer.data(), want), position));
      if (got == 0) return err(ErrorKind::kIo, "{} ended early at offset {}", file.path, position);
      MSB_TRY(write_bytes(tar, buffer.data(), got));
      position += got;
    }
  }
  // The trailing hole (if any) is the pax writer's to pad; it needs no bytes from us.
  return {};
}

}  // namespace

Result<void> write_file_bundle(const std::string& out, const std::vector<BundleFile>& files) {
  MSB_TRY(archive_api());
  std::string temp = os::temp_sibling_name(out);
  Result<void> written = [&]() -> Result<void> {
    os::Fd fd = MSB_TRY(os::open_file(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    ArchiveWriter tar(libarchive().write_new());
    MSB_CHECK(tar != nullptr);
    libarchive().write_set_format_pax_restricted(tar.get());
    if (libarchive().write_open_fd(tar.get(), fd.get()) != ARCHIVE_OK)
      return err(ErrorKind::kIo, "{}", archive_message(tar.get()));
    for (const BundleFile& file : files)
      MSB_TRY(write_file(tar.get(), file).context("{}", file.name));
    if (libarchive().write_close(tar.get()) != ARCHIVE_OK)
      return err(ErrorKind::kIo, "{}", archive_message(tar.get()));
    MSB_TRY(os::sync_fd(fd.get()));
    return os::rename_at(AT_FDCWD, temp, AT_FDCWD, out);
  }();
  if (!written) (void)os::remove_file(temp);
  return std::move(written).context("write {}", out);
}

Result<std::vector<std::string>> extract_file_bundle(const std::string& archive_path,
                                                     const std::string& dir,
                                                     const std::set<std::string>& allowed,
                                                     uint64_t max_file_bytes) {
  MSB_TRY(archive_api());
  Result<std::vector<std::string>> extracted = [&]() -> Result<std::vector<std::string>> {
    (void)MSB_TRY(os::open_file(archive_path, O_RDONLY | O_CLOEXEC));  // kNotFound first
    ArchiveReader tar(libarchive().read_new());
    MSB_CHECK(tar != nullptr);
    libarchive().read_support_format_tar(tar.get());
    if (libarchive().read_open_filename(tar.get(), archive_path.c_str(), kBlock) != ARCHIVE_OK)
      return err(ErrorKind::kInvalidArgument, "not a tar archive: {}", archive_message(tar.get()));
    std::vector<std::string> names;
    for (;;) {
      archive_entry* entry = nullptr;
      int status = libarchive().read_next_header(tar.get(), &entry);
      if (status == ARCHIVE_EOF) break;
      if (status != ARCHIVE_OK)
        return err(ErrorKind::kInvalidArgument, "not a snapshot archive: {}",
                   archive_message(tar.get()));
      std::string name = libarchive().entry_pathname(entry);
      if (!allowed.contains(name))
        return err(ErrorKind::kInvalidArgument, "unexpected entry '{}'", name);
      if (std::find(names.begin(), names.end(), name) != names.end())
        return err(ErrorKind::kInvalidArgument, "entry '{}' appears twice", name);
      if (libarchive().entry_filetype(entry) != AE_IFREG ||
          libarchive().entry_hardlink(entry) != nullptr)
        return err(ErrorKind::kInvalidArgument, "entry '{}' is not a regular file", name);
      la_int64_t size = libarchive().entry_size(entry);
      if (size < 0 || static_cast<uint64_t>(size) > max_file_bytes)
        return err(ErrorKind::kInvalidArgument, "entry '{}' is {} bytes (at most {})", name, size,
                   max_file_bytes);
      os::Fd out =
          MSB_TRY(os::open_file(dir + "/" + name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
      for (;;) {
        const void* data = nullptr;
        size_t length = 0;
        la_int64_t offset = 0;
        int read = libarchive().read_data_block(tar.get(), &data, &length, &offset);
        if (read == ARCHIVE_EOF) break;
        if (read != ARCHIVE_OK)
          return err(ErrorKind::kInvalidArgument, "entry '{}': {}", name,
                     archive_message(tar.get()));
        if (offset < 0 || static_cast<uint64_t>(offset) + length > static_cast<uint64_t>(size))
          return err(ErrorKind::kInvalidArgument, "entry '{}': data past its size", name);
        MSB_TRY(os::write_all_at(out.get(),
                                 std::string_view(static_cast<const char*>(data), length),
                                 static_cast<uint64_t>(offset)));
      }
      MSB_TRY(os::truncate_fd(out.get(), static_cast<uint64_t>(size)));
      MSB_TRY(os::sync_fd(out.get()));
      names.push_back(std::move(name));
    }
    return names;
  }();
  return std::move(extracted).context("extract {}", archive_path);
}

}  // namespace msb::image
