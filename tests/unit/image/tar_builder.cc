#include "tar_builder.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "common/error.h"
#include "image/digest.h"

namespace msb::image::testing {
namespace {

la_ssize_t append(archive*, void* out, const void* data, size_t size) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(data), size);
  return static_cast<la_ssize_t>(size);
}

}  // namespace

TarBuilder& TarBuilder::add(Entry entry) {
  entries_.push_back(std::move(entry));
  return *this;
}

TarBuilder& TarBuilder::file(const std::string& path, const std::string& data, uint32_t mode) {
  return add({.path = path, .data = data, .type = AE_IFREG, .mode = mode});
}

TarBuilder& TarBuilder::dir(const std::string& path, uint32_t mode) {
  return add({.path = path, .type = AE_IFDIR, .mode = mode});
}

TarBuilder& TarBuilder::symlink(const std::string& path, const std::string& target) {
  return add({.path = path, .link = target, .type = AE_IFLNK, .mode = 0777});
}

TarBuilder& TarBuilder::hardlink(const std::string& path, const std::string& target) {
  return add({.path = path, .link = target, .type = AE_IFREG, .mode = 0644, .hardlink = true});
}

TarBuilder& TarBuilder::node(const std::string& path, char type, uint32_t major, uint32_t minor) {
  uint32_t kind = type == 'c' ? AE_IFCHR : type == 'b' ? AE_IFBLK : AE_IFIFO;
  return add({.path = path, .type = kind, .mode = 0600, .major = major, .minor = minor});
}

TarBuilder& TarBuilder::owner(uint32_t uid, uint32_t gid) {
  entries_.back().uid = uid;
  entries_.back().gid = gid;
  return *this;
}

TarBuilder& TarBuilder::mtime(int64_t seconds) {
  entries_.back().mtime = seconds;
  return *this;
}

TarBuilder& TarBuilder::xattr(const std::string& name, const std::string& value) {
  entries_.back().xattrs.emplace_back(name, value);
  return *this;
}

std::string TarBuilder::build() const {
  std::string out;
  archive* writer = archive_write_new();
  archive_write_set_format_pax_restricted(writer);  // padded to 10 KiB blocks, as tar does
  MSB_CHECK(archive_write_open(writer, &out, nullptr, append, nullptr) == ARCHIVE_OK);
  for (const Entry& e : entries_) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.path.c_str());
    archive_entry_set_filetype(entry, e.type);
    archive_entry_set_perm(entry, e.mode);
    archive_entry_set_uid(entry, e.uid);
    archive_entry_set_gid(entry, e.gid);
    archive_entry_set_mtime(entry, e.mtime, 0);
    if (e.type == AE_IFLNK) archive_entry_set_symlink(entry, e.link.c_str());
    if (e.hardlink) archive_entry_set_hardlink(entry, e.link.c_str());
    if (e.type == AE_IFCHR || e.type == AE_IFBLK)
      archive_entry_set_rdev(entry, makedev(e.major, e.minor));
    for (const auto& [name, value] : e.xattrs) {
      archive_entry_xattr_add_entry(entry, name.c_str(), value.data(), value.size());
    }
    archive_entry_set_size(entry, e.hardlink ? 0 : static_cast<la_int64_t>(e.data.size()));
    // ARCHIVE_WARN: a name the C locale cannot convert is stored as raw bytes.
    MSB_CHECK(archive_write_header(writer, entry) >= ARCHIVE_WARN);
    if (!e.data.empty() && !e.hardlink) archive_write_data(writer, e.data.data(), e.data.size());
    archive_entry_free(entry);
  }
  MSB_CHECK(archive_write_close(writer) == ARCHIVE_OK);
  archive_write_free(writer);
  return out;
}

std::string compress(const std::string& data, Compression compression) {
  if (compression == Compression::kNone) return data;
  std::string out;
  archive* writer = archive_write_new();
  archive_write_set_format_raw(writer);
  if (compression == Compression::kGzip) archive_write_add_filter_gzip(writer);
  if (compression == Compression::kZstd) archive_write_add_filter_zstd(writer);
  archive_write_set_bytes_in_last_block(writer, 1);
  MSB_CHECK(archive_write_open(writer, &out, nullptr, append, nullptr) == ARCHIVE_OK);
  archive_entry* entry = archive_entry_new();
  archive_entry_set_pathname(entry, "layer.tar");
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_entry_set_size(entry, static_cast<la_int64_t>(data.size()));
  MSB_CHECK(archive_write_header(writer, entry) == ARCHIVE_OK);
  archive_write_data(writer, data.data(), data.size());
  archive_entry_free(entry);
  MSB_CHECK(archive_write_close(writer) == ARCHIVE_OK);
  archive_write_free(writer);
  return out;
}

std::string sha256_of(const std::string& data) {
  Sha256 hash;
  hash.update(data.data(), data.size());
  return hash.finish();
}

}  // namespace msb::image::testing
