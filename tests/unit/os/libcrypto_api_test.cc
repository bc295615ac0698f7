#include "os/libcrypto_api.h"

#include <gtest/gtest.h>

#include <string>

namespace msb::os {
namespace {

std::string hex(const unsigned char* bytes, unsigned int size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (unsigned int i = 0; i < size; ++i) {
    text += kHex[bytes[i] >> 4];
    text += kHex[bytes[i] & 0xf];
  }
  return text;
}

TEST(LibcryptoApi, LoadsOnceAndComputesSha256) {
  Result<const LibcryptoApi*> api = libcrypto_api();
  ASSERT_TRUE(api) << api.error().message;
  EXPECT_EQ(*libcrypto_api(), *api);  // loaded once: the same table afterwards
  EXPECT_EQ(&libcrypto(), *api);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  ASSERT_EQ((*api)->digest("abc", 3, digest, &size, (*api)->sha256(), nullptr), 1);
  // FIPS 180-2, appendix B.1.
  EXPECT_EQ(hex(digest, size), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(LibcryptoApi, IncrementalDigestMatchesTheOneShot) {
  const LibcryptoApi& crypto = libcrypto();
  EVP_MD_CTX* context = crypto.md_ctx_new();
  ASSERT_NE(context, nullptr);
  ASSERT_EQ(crypto.digest_init(context, crypto.sha256(), nullptr), 1);
  ASSERT_EQ(crypto.digest_update(context, "a", 1), 1);
  ASSERT_EQ(crypto.digest_update(context, "bc", 2), 1);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  ASSERT_EQ(crypto.digest_final(context, digest, &size), 1);
  crypto.md_ctx_free(context);
  EXPECT_EQ(hex(digest, size), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace msb::os
