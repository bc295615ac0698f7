#include "image/layer_reader.h"

#include <cerrno>

#include "image/archive_api.h"
#include "image/digest.h"

namespace msb::image {
namespace {

std::string archive_message(archive* a) {
  const char* text = libarchive().error_string(a);
  return text != nullptr ? text : "unknown libarchive error";
}

}  // namespace

Result<std::unique_ptr<LayerReader>> LayerReader::open(const std::string& blob_path,
                                                       std::function<void(uint64_t)> progress) {
  std::unique_ptr<ByteSource> source = MSB_TRY(FileSource::open(blob_path, std::move(progress)));
  return std::move(open(std::move(source))).context("read layer {}", blob_path);
}

Result<std::unique_ptr<LayerReader>> LayerReader::open(std::unique_ptr<ByteSource> source) {
  MSB_TRY(archive_api());
  MSB_TRY(Sha256::available());
  std::unique_ptr<LayerReader> reader(new LayerReader());
  reader->source_ = std::move(source);
  reader->decompressed_ = MSB_TRY(open_decompressor(*reader->source_));
  archive* tar = reader->tar_ = libarchive().read_new();
  MSB_CHECK(tar != nullptr);
  libarchive().read_support_format_tar(tar);
  if (libarchive().read_open(tar, reader.get(), nullptr, &LayerReader::read_callback, nullptr) !=
      ARCHIVE_OK) {
    if (reader->failure_) return tl::unexpected(*reader->failure_);
    return err(ErrorKind::kInvalidArgument, "not a tar archive: {}", archive_message(tar));
  }
  return reader;
}

LayerReader::~LayerReader() {
  if (tar_ != nullptr) libarchive().read_free(tar_);
}

Error LayerReader::read_error() const {
  if (failure_) return *failure_;
  return Error{ErrorKind::kInvalidArgument, 0, archive_message(tar_)};
}

long LayerReader::read_callback(archive* tar, void* self, const void** buffer) {
  LayerReader* reader = static_cast<LayerReader*>(self);
  long got = reader->read_block(buffer);
  if (got < 0) libarchive().set_error(tar, EIO, "%s", reader->failure_->message.c_str());
  return got;
}

long LayerReader::read_block(const void** buffer) {
  if (failure_) return -1;
  Slot& slot = slots_[next_slot_];
  next_slot_ = (next_slot_ + 1) % kSlots;
  if (slot.ticket != 0) hasher_.wait_for(slot.ticket);  // its old bytes are hashed
  Result<size_t> got = decompressed_->read(slot.data);
  if (!got) {
    failure_ = std::move(got.error());
    return -1;
  }
  if (*got > 0) slot.ticket = hasher_.submit(std::span<const char>(slot.data.data(), *got));
  *buffer = slot.data.data();
  return static_cast<long>(*got);
}

Result<std::string> LayerReader::finish() {
  const void* ignored = nullptr;
  for (;;) {
    long got = read_block(&ignored);
    if (got < 0) return tl::unexpected(*failure_);
    if (got == 0) return hasher_.finish();
  }
}

}  // namespace msb::image
