// Builds layer tars in tests with libarchive's writer (pax format), and blobs of them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace msb::image::testing {

class TarBuilder {
 public:
  TarBuilder& file(const std::string& path, const std::string& data, uint32_t mode = 0644);
  TarBuilder& dir(const std::string& path, uint32_t mode = 0755);
  TarBuilder& symlink(const std::string& path, const std::string& target);
  TarBuilder& hardlink(const std::string& path, const std::string& target);
  // `type` is 'c' (character device), 'b' (block device) or 'p' (fifo).
  TarBuilder& node(const std::string& path, char type, uint32_t major = 0, uint32_t minor = 0);
  // These change the entry added last.
  TarBuilder& owner(uint32_t uid, uint32_t gid);
  TarBuilder& mtime(int64_t seconds);
  TarBuilder& xattr(const std::string& name, const std::string& value);

  // The uncompressed tar.
  std::string build() const;

 private:
  struct Entry {
    std::string path, data, link;
    uint32_t type = 0, mode = 0, uid = 0, gid = 0, major = 0, minor = 0;
    int64_t mtime = 1'600'000'000;
    bool hardlink = false;
    std::vector<std::pair<std::string, std::string>> xattrs;
  };
  TarBuilder& add(Entry entry);
  std::vector<Entry> entries_;
};

enum class Compression { kNone, kGzip, kZstd };

// `data` compressed with `compression`.
std::string compress(const std::string& data, Compression compression);

// "sha256:<hex>" of `data`.
std::string sha256_of(const std::string& data);

}  // namespace msb::image::testing
