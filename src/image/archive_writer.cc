#include "image/archive_writer.h"

#include <fcntl.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>

#include "image/archive_api.h"
#include "image/archive_handles.h"
#include "image/digest.h"
#include "image/manifest.h"
#include "os/file.h"
#include "os/file_status.h"
#include "os/fs_calls.h"
#include "os/io.h"

namespace msb::image {
namespace {

using Json = nlohmann::json;
using Chunk = std::function<Result<void>(std::string_view)>;

constexpr size_t kBlockBytes = 1 << 20;

// Feeds `chunk` the blob at `path` with its gzip or zstd compression undone (an
// uncompressed blob passes as it is).
Result<void> read_uncompressed(const std::string& path, const Chunk& chunk) {
  (void)MSB_TRY(os::open_file(path, O_RDONLY));
  ArchiveReader raw(libarchive().read_new());
  MSB_CHECK(raw != nullptr);
  libarchive().read_support_filter_gzip(raw.get());
  libarchive().read_support_filter_zstd(raw.get());
  libarchive().read_support_format_raw(raw.get());
  archive_entry* entry = nullptr;
  if (libarchive().read_open_filename(raw.get(), path.c_str(), kBlockBytes) != ARCHIVE_OK)
    return err(ErrorKind::kInvalidArgument, "read blob {}: {}", path, archive_message(raw.get()));
  int status = libarchive().read_next_header(raw.get(), &entry);
  if (status == ARCHIVE_EOF) return {};  // an empty blob
  if (status != ARCHIVE_OK)
    return err(ErrorKind::kInvalidArgument, "read blob {}: {}", path, archive_message(raw.get()));
  std::vector<char> buffer(kBlockBytes);
  for (;;) {
    la_ssize_t got = libarchive().read_data(raw.get(), buffer.data(), buffer.size());
    if (got < 0)
      return err(ErrorKind::kInvalidArgument, "read blob {}: {}", path, archive_message(raw.get()));
    if (got == 0) return {};
    MSB_TRY(chunk(std::string_view(buffer.data(), static_cast<size_t>(got))));
  }
}

class TarWriter {
 public:
  static Result<TarWriter> open(int fd) {
    ArchiveWriter tar(libarchive().write_new());
    MSB_CHECK(tar != nullptr);
    libarchive().write_set_format_pax_restricted(tar.get());
    if (libarchive().write_open_fd(tar.get(), fd) != ARCHIVE_OK)
      return err(ErrorKind::kIo, "write archive: {}", archive_message(tar.get()));
    return TarWriter(std::move(tar));
  }

  Result<void> directory(const std::string& name) { return header(name, AE_IFDIR, 0755, 0); }
  Result<void> file(const std::string& name, std::string_view data) {
    MSB_TRY(header(name, AE_IFREG, 0644, data.size()));
    return write(data);
  }
  // A file of `size` bytes whose data follows in write() calls.
  Result<void> begin_file(const std::string& name, uint64_t size) {
    return header(name, AE_IFREG, 0644, size);
  }
  Result<void> write(std::string_view data) {
    if (libarchive().write_data(tar_.get(), data.data(), data.size()) < 0)
      return err(ErrorKind::kIo, "write archive: {}", archive_message(tar_.get()));
    return {};
  }
  Result<void> close() {
    if (libarchive().write_close(tar_.get()) != ARCHIVE_OK)
      return err(ErrorKind::kIo, "write archive: {}", archive_message(tar_.get()));
    return {};
  }

 private:
  explicit TarWriter(ArchiveWriter tar) : tar_(std::move(tar)) {}
  Result<void> header(const std::string& name, unsigned type, int mode, uint64_t size) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(libarchive().entry_new(),
                                                                   libarchive().entry_free);
    libarchive().entry_set_pathname(entry.get(), name.c_str());
    libarchive().entry_set_filetype(entry.get(), type);
    libarchive().entry_set_perm(entry.get(), mode);
    libarchive().entry_set_size(entry.get(), static_cast<la_int64_t>(size));
    if (libarchive().write_header(tar_.get(), entry.get()) != ARCHIVE_OK)
      return err(ErrorKind::kIo, "write archive entry {}: {}", name, archive_message(tar_.get()));
    return {};
  }

  ArchiveWriter tar_;
};

// Writes layer `layer` uncompressed as `name`. A tar header needs the size first, so a
// compressed blob is read twice: once to measure (and check) it, once to copy it.
Result<void> write_uncompressed_layer(TarWriter& tar, const std::string& name,
                                      const ArchiveLayer& layer) {
  uint64_t size = 0;
  if (layer.media_type == kOciLayerTar) {
    size = MSB_TRY(os::lstat_path(layer.blob_path)).size;
  } else {
    MSB_TRY(read_uncompressed(layer.blob_path, [&](std::string_view data) -> Result<void> {
      size += data.size();
      return {};
    }));
  }
  MSB_TRY(tar.begin_file(name, size));
  Sha256 hash;
  uint64_t written = 0;
  MSB_TRY(read_uncompressed(layer.blob_path, [&](std::string_view data) {
    hash.update(data.data(), data.size());
    written += data.size();
    return tar.write(data);
  }));
  std::string diff_id = hash.finish();
  if (written != size || diff_id != layer.diff_id)
    return err(ErrorKind::kIntegrity, "layer {}: uncompressed digest {}, expected {}", layer.digest,
               diff_id, layer.diff_id);
  return {};
}

Result<void> write_docker(TarWriter& tar, const std::vector<ArchiveSource>& images) {
  Json manifest = Json::array();
  std::set<std::string> written;
  for (const ArchiveSource& image : images) {
    std::string config_name = MSB_TRY(digest_hex(image.config_digest)) + ".json";
    if (written.insert(config_name).second) MSB_TRY(tar.file(config_name, image.config_raw));
    Json entry = {{"Config", config_name}, {"RepoTags", Json::array()}, {"Layers", Json::array()}};
    for (const std::string& name : image.names) {
      if (name.find('@') == std::string::npos) entry["RepoTags"].push_back(name);
    }
    for (const ArchiveLayer& layer : image.layers) {
      std::string dir = MSB_TRY(digest_hex(layer.diff_id));
      entry["Layers"].push_back(dir + "/layer.tar");
      if (!written.insert(dir).second) continue;
      MSB_TRY(tar.directory(dir));
      MSB_TRY(write_uncompressed_layer(tar, dir + "/layer.tar", layer));
    }
    manifest.push_back(std::move(entry));
  }
  return tar.file("manifest.json", manifest.dump());
}

Result<void> write_blob_file(TarWriter& tar, const std::string& name, const std::string& path) {
  MSB_TRY(tar.begin_file(name, MSB_TRY(os::lstat_path(path)).size));
  os::Fd fd = MSB_TRY(os::open_file(path, O_RDONLY));
  std::vector<char> buffer(kBlockBytes);
  for (;;) {
    size_t got = MSB_TRY(os::read_some(fd.get(), buffer));
    if (got == 0) return {};
    MSB_TRY(tar.write(std::string_view(buffer.data(), got)));
  }
}

Result<void> write_oci(TarWriter& tar, const std::vector<ArchiveSource>& images) {
  MSB_TRY(tar.file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));
  MSB_TRY(tar.directory("blobs"));
  MSB_TRY(tar.directory("blobs/sha256"));
  Json index = {{"schemaVersion", 2}, {"mediaType", kOciIndex}, {"manifests", Json::array()}};
  std::set<std::string> written;
  auto blob = [&](const std::string& digest) -> Result<std::string> {
    std::string name = "blobs/sha256/" + MSB_TRY(digest_hex(digest));
    return written.insert(name).second ? name : "";
  };
  for (const ArchiveSource& image : images) {
    if (std::string name = MSB_TRY(blob(image.manifest_digest)); !name.empty())
      MSB_TRY(tar.file(name, image.manifest_raw));
    if (std::string name = MSB_TRY(blob(image.config_digest)); !name.empty())
      MSB_TRY(tar.file(name, image.config_raw));
    for (const ArchiveLayer& layer : image.layers) {
      if (std::string name = MSB_TRY(blob(layer.digest)); !name.empty())
        MSB_TRY(write_blob_file(tar, name, layer.blob_path));
    }
    Json entry = {{"mediaType", image.manifest_media_type},
                  {"digest", image.manifest_digest},
                  {"size", image.manifest_raw.size()}};
    if (image.names.empty()) index["manifests"].push_back(entry);
    for (const std::string& name : image.names) {
      entry["annotations"] = {{"org.opencontainers.image.ref.name", name},
                              {"io.containerd.image.name", name}};
      index["manifests"].push_back(entry);
    }
  }
  return tar.file("index.json", index.dump());
}

}  // namespace

Result<void> write_image_archive(const std::string& path, ArchiveFormat format,
                                 const std::vector<ArchiveSource>& images) {
  MSB_TRY(archive_api().context("save {}", path));
  MSB_TRY(Sha256::available().context("save {}", path));
  std::string temp = path + ".msb-partial";
  Result<void> written = [&]() -> Result<void> {
    os::Fd fd = MSB_TRY(os::open_file(temp, O_WRONLY | O_CREAT | O_TRUNC, 0644));
    TarWriter tar = MSB_TRY(TarWriter::open(fd.get()));
    MSB_TRY(format == ArchiveFormat::kDocker ? write_docker(tar, images) : write_oci(tar, images));
    MSB_TRY(tar.close());
    return os::rename_at(AT_FDCWD, temp, AT_FDCWD, path);
  }();
  if (!written) (void)os::remove_file(temp);
  return std::move(written).context("save {}", path);
}

}  // namespace msb::image
