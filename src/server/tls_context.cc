#include "server/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "os/file.h"

namespace msb::server {

namespace ssl = boost::asio::ssl;

namespace {

// OpenSSL's reason for the last failure, and its error queue emptied.
std::string openssl_reason() {
  unsigned long code = ERR_peek_last_error();
  std::string reason = code == 0 ? "unknown error" : ERR_reason_error_string(code);
  ERR_clear_error();
  return reason;
}

// Whether `pem` holds a private key OpenSSL can read (to tell a bad key file from a key
// that does not match the certificate).
bool holds_private_key(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
  EVP_PKEY_free(key);
  BIO_free(bio);
  ERR_clear_error();
  return key != nullptr;
}

}  // namespace

Result<std::unique_ptr<ssl::context>> make_tls_context(const std::string& cert_file,
                                                       const std::string& key_file) {
  std::string cert = MSB_TRY(os::read_file(cert_file).context("--tls-cert {}", cert_file));
  std::string key = MSB_TRY(os::read_file(key_file).context("--tls-key {}", key_file));
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  // TLS 1.2: ECDHE with AEAD only (Mozilla's "intermediate"); TLS 1.3 keeps its defaults.
  SSL_CTX_set_cipher_list(native,
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  boost::system::error_code ec;
  context->use_certificate_chain(boost::asio::buffer(cert), ec);
  if (ec)
    return err(ErrorKind::kInvalidArgument, "--tls-cert {}: not a PEM certificate ({})", cert_file,
               openssl_reason());
  if (!holds_private_key(key))
    return err(ErrorKind::kInvalidArgument, "--tls-key {}: not a PEM private key", key_file);
  context->use_private_key(boost::asio::buffer(key), ssl::context::pem, ec);
  if (ec || SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return err(ErrorKind::kInvalidArgument, "--tls-key {}: the key does not match --tls-cert {}",
               key_file, cert_file);
  }
  return context;
}

}  // namespace msb::server
