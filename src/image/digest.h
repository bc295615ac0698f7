// SHA-256 digests of blobs, manifests and layers (OpenSSL's libcrypto), in the OCI text
// form of image/digest_text.h.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"
#include "image/digest_text.h"

struct evp_md_ctx_st;

namespace msb::image {

// Incremental SHA-256 (OpenSSL EVP, loaded on first use: os/libcrypto_api.h). Not
// thread-safe; one per stream.
struct Sha256 {
  // Whether libcrypto loads (kUnsupported naming the package if not). Operations that hash
  // check it first; constructing a Sha256 without it is a fatal error.
  static Result<void> available();
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
