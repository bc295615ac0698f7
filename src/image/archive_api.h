// libarchive, loaded when the first tar is read or written rather than when the program
// starts: with libxml2 and ICU behind it, linking it costs every start of `msb` ~4 ms
// (os/shared_library.h). Image code calls libarchive only through this table; its
// signatures come from <archive.h>, so they cannot drift from it.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include "common/error.h"

namespace msb::image {

struct ArchiveApi {
  decltype(&archive_entry_copy_hardlink) entry_copy_hardlink;
  decltype(&archive_entry_copy_pathname) entry_copy_pathname;
  decltype(&archive_entry_copy_symlink) entry_copy_symlink;
  decltype(&archive_entry_filetype) entry_filetype;
  decltype(&archive_entry_hardlink) entry_hardlink;
  decltype(&archive_entry_hardlink_utf8) entry_hardlink_utf8;
  decltype(&archive_entry_new) entry_new;
  decltype(&archive_entry_free) entry_free;
  decltype(&archive_entry_pathname) entry_pathname;
  decltype(&archive_entry_pathname_utf8) entry_pathname_utf8;
  decltype(&archive_entry_set_filetype) entry_set_filetype;
  decltype(&archive_entry_set_pathname) entry_set_pathname;
  decltype(&archive_entry_set_perm) entry_set_perm;
  decltype(&archive_entry_set_size) entry_set_size;
  decltype(&archive_entry_size) entry_size;
  decltype(&archive_entry_symlink) entry_symlink;
  decltype(&archive_entry_symlink_utf8) entry_symlink_utf8;
  decltype(&archive_entry_xattr_add_entry) entry_xattr_add_entry;
  decltype(&archive_entry_xattr_clear) entry_xattr_clear;
  decltype(&archive_entry_xattr_next) entry_xattr_next;
  decltype(&archive_entry_xattr_reset) entry_xattr_reset;
  decltype(&archive_error_string) error_string;
  decltype(&archive_read_data) read_data;
  decltype(&archive_read_data_block) read_data_block;
  decltype(&archive_read_free) read_free;
  decltype(&archive_read_new) read_new;
  decltype(&archive_read_next_header) read_next_header;
  decltype(&archive_read_open) read_open;
  decltype(&archive_read_open_filename) read_open_filename;
  decltype(&archive_read_support_filter_gzip) read_support_filter_gzip;
  decltype(&archive_read_support_filter_zstd) read_support_filter_zstd;
  decltype(&archive_read_support_format_raw) read_support_format_raw;
  decltype(&archive_read_support_format_tar) read_support_format_tar;
  decltype(&archive_set_error) set_error;
  decltype(&archive_write_close) write_close;
  decltype(&archive_write_data) write_data;
  decltype(&archive_write_data_block) write_data_block;
  decltype(&archive_write_disk_new) write_disk_new;
  decltype(&archive_write_disk_set_options) write_disk_set_options;
  decltype(&archive_write_finish_entry) write_finish_entry;
  decltype(&archive_write_free) write_free;
  decltype(&archive_write_header) write_header;
  decltype(&archive_write_new) write_new;
  decltype(&archive_write_open_fd) write_open_fd;
  decltype(&archive_write_set_format_pax_restricted) write_set_format_pax_restricted;
  decltype(&archive_entry_gid) entry_gid;
  decltype(&archive_entry_uid) entry_uid;
  decltype(&archive_entry_set_gid) entry_set_gid;
  decltype(&archive_entry_set_uid) entry_set_uid;
  decltype(&archive_entry_rdevmajor) entry_rdevmajor;
  decltype(&archive_entry_rdevminor) entry_rdevminor;
  decltype(&archive_entry_set_hardlink) entry_set_hardlink;
  decltype(&archive_entry_clear) entry_clear;
  decltype(&archive_entry_sparse_add_entry) entry_sparse_add_entry;
  decltype(&archive_entry_set_mode) entry_set_mode;
  decltype(&archive_entry_set_mtime) entry_set_mtime;
  decltype(&archive_entry_linkresolver_new) entry_linkresolver_new;
  decltype(&archive_entry_linkresolver_free) entry_linkresolver_free;
  decltype(&archive_entry_linkresolver_set_strategy) entry_linkresolver_set_strategy;
  decltype(&archive_entry_linkify) entry_linkify;
  decltype(&archive_read_disk_new) read_disk_new;
  decltype(&archive_read_disk_open) read_disk_open;
  decltype(&archive_read_disk_descend) read_disk_descend;
  decltype(&archive_read_disk_set_behavior) read_disk_set_behavior;
  decltype(&archive_read_disk_set_symlink_physical) read_disk_set_symlink_physical;
  decltype(&archive_read_next_header2) read_next_header2;
  decltype(&archive_read_close) read_close;
  decltype(&archive_write_open_filename) write_open_filename;
};

// libarchive (libarchive.so.13), loaded on the first call; the same table, or the same
// error, afterwards. Errors: kUnsupported when it is missing or lacks a function (install
// libarchive13). Thread-safe.
Result<const ArchiveApi*> archive_api();

// The table, for code that runs only after archive_api() succeeded (inside a reader or
// writer it made); checks that it did.
const ArchiveApi& libarchive();

}  // namespace msb::image
