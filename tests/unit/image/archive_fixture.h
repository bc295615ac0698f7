// Crafted image archives for the archive reader and writer tests: a one-image OCI layout
// or `docker save` tar built in memory with TarBuilder, and a private cache to load into.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "image/blob_cache.h"
#include "os/file.h"
#include "tar_builder.h"

namespace msb::image::testing {

// One image: a single layer (gzip blob of a small tar), its config and OCI manifest.
struct TestImage {
  std::string layer_tar, layer_blob, layer_digest, diff_id;
  std::string config, config_digest;
  std::string manifest, manifest_digest;

  // `files` become the layer's contents; `cmd` the config's Cmd.
  static TestImage make(const std::map<std::string, std::string>& files,
                        const std::string& cmd = "/bin/sh");
};

// Adds oci-layout, index.json (one entry per image, named by `ref_names` when not empty)
// and every blob of `images` to `tar`.
void add_oci_layout(TarBuilder& tar, const std::vector<TestImage>& images,
                    const std::vector<std::string>& ref_names);
// Adds manifest.json, <config hex>.json and <diff_id hex>/layer.tar (uncompressed).
void add_docker_save(TarBuilder& tar, const TestImage& image, const std::vector<std::string>& tags);

// A temp dir with a BlobCache under cache/ and a staging dir for archives.
class ArchiveTestDir {
 public:
  ArchiveTestDir();
  const std::string& path() const { return dir_->path(); }
  std::string cache_dir() const { return path() + "/cache"; }
  std::string staging() const { return path() + "/cache/staging"; }
  BlobCache& blobs() { return *blobs_; }
  // Writes `data` to a file in the temp dir and returns its path.
  std::string write(const std::string& name, const std::string& data) const;

 private:
  std::optional<os::TempDir> dir_;
  std::optional<BlobCache> blobs_;
};

}  // namespace msb::image::testing
