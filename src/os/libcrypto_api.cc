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
  static const Result<LibcryptoApi> api = [] {
    return std::move(load()).context("SHA-256 needs OpenSSL's libcrypto (install libssl3)");
  }();
  return api;
}

}  // namespace

Result<const LibcryptoApi*> libcrypto_api() {
  const Result<LibcryptoApi>& api = loaded();
  if (!api) return tl::unexpected(api.error());
  return &*api;
}

const LibcryptoApi& libcrypto() {
  const Result<LibcryptoApi>& api = loaded();
  if (!api) [[unlikely]]
    check_failed(api.error().message.c_str(), __FILE__, __LINE__);
  return *api;
}

}  // namespace msb::os
