#include "os/libcrypto_api.h"

#include "os/shared_library.h"

namespace msb::os {
namespace {

constexpr const char* kSoname = "libcrypto.so.3";

Result<LibcryptoApi> load() {
  SharedLibrary library = MSB_TRY(SharedLibrary::open(kSoname));
  LibcryptoApi api{};
  MSB_TRY(library.resolve("EVP_MD_CTX_new", api.md_ctx_new));
  MSB_TRY(library.resolve("EVP_MD_CTX_free", api.md_ctx_free));
  MSB_TRY(library.resolve("EVP_sha256", api.sha256));
  MSB_TRY(library.resolve("EVP_DigestInit_ex", api.digest_init));
  MSB_TRY(library.resolve("EVP_DigestUpdate", api.digest_update));
  MSB_TRY(library.resolve("EVP_DigestFinal_ex", api.digest_final));
  MSB_TRY(library.resolve("EVP_Digest", api.digest));
  // OpenSSL cleans up in an atexit handler of its own; unloading it before that would
  // leave the handler pointing at unmapped code.
  std::move(library).keep_loaded();
  return api;
}

const Result<LibcryptoApi>& loaded() {
  return load_api_once(load, "SHA-256 needs OpenSSL's libcrypto (install libssl3)");
}

}  // namespace

Result<const LibcryptoApi*> libcrypto_api() { return api_or_error(loaded()); }

const LibcryptoApi& libcrypto() { return checked_api(loaded()); }

}  // namespace msb::os
