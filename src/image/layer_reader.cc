#include "image/layer_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>

#include <cerrno>

#include "os/file.h"

namespace msb::image {
namespace {

std::string archive_message(archive* a) {
  const char* text = archive_error_string(a);
  return text != nullptr ? text : "unknown libarchive error";
}

}  // namespace

Result<std::unique_ptr<LayerReader>> LayerReader::open(const std::string& blob_path,
                                                       std::function<void(uint64_t)> progress) {
  // Fail on a missing or unreadable blob with the errno kind before libarchive hides it.
  (void)MSB_TRY(os::open_file(blob_path, O_RDONLY));
  std::unique_ptr<LayerReader> reader(new LayerReader());
  reader->progress_ = std::move(progress);
  archive* raw = reader->decompressed_ = archive_read_new();
  archive* tar = reader->tar_ = archive_read_new();
  MSB_CHECK(raw != nullptr && tar != nullptr);
  // Only the compressions OCI allows are undone; anything else reaches the tar parser
  // as is and fails there.
  archive_read_support_filter_gzip(raw);
  archive_read_support_filter_zstd(raw);
  archive_read_support_format_raw(raw);
  archive_entry* entry = nullptr;
  if (archive_read_open_filename(raw, blob_path.c_str(), 1 << 17) != ARCHIVE_OK ||
      archive_read_next_header(raw, &entry) != ARCHIVE_OK) {
    return err(ErrorKind::kInvalidArgument, "read layer {}: {}", blob_path, archive_message(raw));
  }
  archive_read_support_format_tar(tar);
  if (archive_read_open(tar, reader.get(), nullptr, &LayerReader::read_callback, nullptr) !=
      ARCHIVE_OK) {
    return err(ErrorKind::kInvalidArgument, "read layer {}: not a tar archive: {}", blob_path,
               archive_message(tar));
  }
  return reader;
}

LayerReader::~LayerReader() {
  if (tar_ != nullptr) archive_read_free(tar_);
  if (decompressed_ != nullptr) archive_read_free(decompressed_);
}

long LayerReader::read_callback(archive* tar, void* self, const void** buffer) {
  LayerReader* reader = static_cast<LayerReader*>(self);
  long got = reader->read_block(buffer);
  if (got < 0) {
    archive_set_error(tar, EIO, "%s", archive_message(reader->decompressed_).c_str());
  }
  return got;
}

long LayerReader::read_block(const void** buffer) {
  la_ssize_t got = archive_read_data(decompressed_, buffer_.data(), buffer_.size());
  if (got < 0) return -1;
  hash_.update(buffer_.data(), static_cast<size_t>(got));
  if (progress_) progress_(static_cast<uint64_t>(archive_filter_bytes(decompressed_, -1)));
  *buffer = buffer_.data();
  return static_cast<long>(got);
}

Result<std::string> LayerReader::finish() {
  const void* ignored = nullptr;
  for (;;) {
    long got = read_block(&ignored);
    if (got < 0) {
      return err(ErrorKind::kInvalidArgument, "read layer: {}", archive_message(decompressed_));
    }
    if (got == 0) return hash_.finish();
  }
}

}  // namespace msb::image
