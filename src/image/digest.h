// SHA-256 digests of blobs, manifests and layers (OpenSSL), in the OCI text form of
// image/digest_text.h.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"
#include "image/digest_text.h"

struct evp_md_ctx_st;

namespace msb::image {

// Incremental SHA-256 (OpenSSL EVP). Not thread-safe; one per stream.
struct Sha256 {
  Sha256();
  void update(const void* data, size_t size);
  // "sha256:<hex>" of everything fed so far. Call once.
  std::string finish();

 private:
  struct Deleter {
    void operator()(evp_md_ctx_st* context) const;
  };
  std::unique_ptr<evp_md_ctx_st, Deleter> context_;
};

// The digest of a whole file. Errors: kNotFound, kIo (with the path). Thread-safe.
Result<std::string> sha256_file(const std::string& path);

}  // namespace msb::image
