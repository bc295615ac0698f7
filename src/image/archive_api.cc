#include "image/archive_api.h"

#include "os/shared_library.h"

namespace msb::image {
namespace {

constexpr const char* kSoname = "libarchive.so.13";

Result<ArchiveApi> load() {
  os::SharedLibrary library = MSB_TRY(os::SharedLibrary::open(kSoname));
  ArchiveApi api{};
  MSB_TRY(library.resolve("archive_entry_copy_hardlink", api.entry_copy_hardlink));
  MSB_TRY(library.resolve("archive_entry_copy_pathname", api.entry_copy_pathname));
  MSB_TRY(library.resolve("archive_entry_copy_symlink", api.entry_copy_symlink));
  MSB_TRY(library.resolve("archive_entry_filetype", api.entry_filetype));
  MSB_TRY(library.resolve("archive_entry_hardlink", api.entry_hardlink));
  MSB_TRY(library.resolve("archive_entry_hardlink_utf8", api.entry_hardlink_utf8));
  MSB_TRY(library.resolve("archive_entry_new", api.entry_new));
  MSB_TRY(library.resolve("archive_entry_free", api.entry_free));
  MSB_TRY(library.resolve("archive_entry_pathname", api.entry_pathname));
  MSB_TRY(library.resolve("archive_entry_pathname_utf8", api.entry_pathname_utf8));
  MSB_TRY(library.resolve("archive_entry_set_filetype", api.entry_set_filetype));
  MSB_TRY(library.resolve("archive_entry_set_pathname", api.entry_set_pathname));
  MSB_TRY(library.resolve("archive_entry_set_perm", api.entry_set_perm));
  MSB_TRY(library.resolve("archive_entry_set_size", api.entry_set_size));
  MSB_TRY(library.resolve("archive_entry_size", api.entry_size));
  MSB_TRY(library.resolve("archive_entry_symlink", api.entry_symlink));
  MSB_TRY(library.resolve("archive_entry_symlink_utf8", api.entry_symlink_utf8));
  MSB_TRY(library.resolve("archive_entry_xattr_add_entry", api.entry_xattr_add_entry));
  MSB_TRY(library.resolve("archive_entry_xattr_clear", api.entry_xattr_clear));
  MSB_TRY(library.resolve("archive_entry_xattr_next", api.entry_xattr_next));
  MSB_TRY(library.resolve("archive_entry_xattr_reset", api.entry_xattr_reset));
  MSB_TRY(library.resolve("archive_error_string", api.error_string));
  MSB_TRY(library.resolve("archive_read_data", api.read_data));
  MSB_TRY(library.resolve("archive_read_data_block", api.read_data_block));
  MSB_TRY(library.resolve("archive_read_free", api.read_free));
  MSB_TRY(library.resolve("archive_read_new", api.read_new));
  MSB_TRY(library.resolve("archive_read_next_header", api.read_next_header));
  MSB_TRY(library.resolve("archive_read_open", api.read_open));
  MSB_TRY(library.resolve("archive_read_open_filename", api.read_open_filename));
  MSB_TRY(library.resolve("archive_read_support_filter_gzip", api.read_support_filter_gzip));
  MSB_TRY(library.resolve("archive_read_support_filter_zstd", api.read_support_filter_zstd));
  MSB_TRY(library.resolve("archive_read_support_format_raw", api.read_support_format_raw));
  MSB_TRY(library.resolve("archive_read_support_format_tar", api.read_support_format_tar));
  MSB_TRY(library.resolve("archive_set_error", api.set_error));
  MSB_TRY(library.resolve("archive_write_close", api.write_close));
  MSB_TRY(library.resolve("archive_write_data", api.write_data));
  MSB_TRY(library.resolve("archive_write_data_block", api.write_data_block));
  MSB_TRY(library.resolve("archive_write_disk_new", api.write_disk_new));
  MSB_TRY(library.resolve("archive_write_disk_set_options", api.write_disk_set_options));
  MSB_TRY(library.resolve("archive_write_finish_entry", api.write_finish_entry));
  MSB_TRY(library.resolve("archive_write_free", api.write_free));
  MSB_TRY(library.resolve("archive_write_header", api.write_header));
  MSB_TRY(library.resolve("archive_write_new", api.write_new));
  MSB_TRY(library.resolve("archive_write_open_fd", api.write_open_fd));
  MSB_TRY(library.resolve("archive_write_set_format_pax_restricted",
                          api.write_set_format_pax_restricted));
  MSB_TRY(library.resolve("archive_entry_gid", api.entry_gid));
  MSB_TRY(library.resolve("archive_entry_uid", api.entry_uid));
  MSB_TRY(library.resolve("archive_entry_set_gid", api.entry_set_gid));
  MSB_TRY(library.resolve("archive_entry_set_uid", api.entry_set_uid));
  MSB_TRY(library.resolve("archive_entry_rdevmajor", api.entry_rdevmajor));
  MSB_TRY(library.resolve("archive_entry_rdevminor", api.entry_rdevminor));
  MSB_TRY(library.resolve("archive_entry_set_hardlink", api.entry_set_hardlink));
  MSB_TRY(library.resolve("archive_entry_clear", api.entry_clear));
  MSB_TRY(library.resolve("archive_entry_sparse_add_entry", api.entry_sparse_add_entry));
  MSB_TRY(library.resolve("archive_entry_set_mode", api.entry_set_mode));
  MSB_TRY(library.resolve("archive_entry_set_mtime", api.entry_set_mtime));
  MSB_TRY(library.resolve("archive_entry_linkresolver_new", api.entry_linkresolver_new));
  MSB_TRY(library.resolve("archive_entry_linkresolver_free", api.entry_linkresolver_free));
  MSB_TRY(library.resolve("archive_entry_linkresolver_set_strategy",
                          api.entry_linkresolver_set_strategy));
  MSB_TRY(library.resolve("archive_entry_linkify", api.entry_linkify));
  MSB_TRY(library.resolve("archive_read_disk_new", api.read_disk_new));
  MSB_TRY(library.resolve("archive_read_disk_open", api.read_disk_open));
  MSB_TRY(library.resolve("archive_read_disk_descend", api.read_disk_descend));
  MSB_TRY(library.resolve("archive_read_disk_set_behavior", api.read_disk_set_behavior));
  MSB_TRY(library.resolve("archive_read_disk_set_symlink_physical",
                          api.read_disk_set_symlink_physical));
  MSB_TRY(library.resolve("archive_read_next_header2", api.read_next_header2));
  MSB_TRY(library.resolve("archive_read_close", api.read_close));
  MSB_TRY(library.resolve("archive_write_open_filename", api.write_open_filename));
  // Readers and writers may outlive any owner of the library (static destructors).
  std::move(library).keep_loaded();
  return api;
}

const Result<ArchiveApi>& loaded() {
  return os::load_api_once(load, "image archives need libarchive (install libarchive13)");
}

}  // namespace

Result<const ArchiveApi*> archive_api() { return os::api_or_error(loaded()); }

const ArchiveApi& libarchive() { return os::checked_api(loaded()); }

}  // namespace msb::image
