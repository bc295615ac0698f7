// OpenSSL's libcrypto (SHA-256 for image digests and long-name hostnames), loaded on first
// use rather than when the program starts: its constructor and relocations cost every start
// of `msb` ~1.6 ms here (os/shared_library.h, docs/design/startup.md). Callers reach
// libcrypto only through this table; its signatures come from <openssl/evp.h>.
#pragma once

#include <openssl/evp.h>

#include "common/error.h"

namespace msb::os {

struct LibcryptoApi {
  decltype(&EVP_MD_CTX_new) md_ctx_new;
  decltype(&EVP_MD_CTX_free) md_ctx_free;
  decltype(&EVP_sha256) sha256;
  decltype(&EVP_DigestInit_ex) digest_init;
  decltype(&EVP_DigestUpdate) digest_update;
  decltype(&EVP_DigestFinal_ex) digest_final;
  decltype(&EVP_Digest) digest;
};

// libcrypto.so.3, loaded on the first call; the same table, or the same error, afterwards.
// Errors: kUnsupported when it is missing or lacks a function (install libssl3). Thread-safe.
Result<const LibcryptoApi*> libcrypto_api();

// The table, for code that cannot fail: checks that libcrypto_api() succeeds. Entry points
// that can report errors (a pull, an archive load) call libcrypto_api() first.
const LibcryptoApi& libcrypto();

}  // namespace msb::os
