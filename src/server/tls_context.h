// The server's TLS settings (asio::ssl over OpenSSL): a certificate chain and its private
// key from PEM files, TLS 1.2 or later, forward-secret AEAD ciphers, no compression, no
// renegotiation, no session tickets.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "common/error.h"

namespace msb::server {

// Reads `cert_file` (a PEM certificate chain, the server's first) and `key_file` (its PEM
// private key, unencrypted). Errors: kIo (a file cannot be read), kInvalidArgument (not PEM,
// no certificate or key in it, or the key does not match the certificate), each naming the
// file. The context is thread-safe to use from many connections once made.
Result<std::unique_ptr<boost::asio::ssl::context>> make_tls_context(const std::string& cert_file,
                                                                    const std::string& key_file);

}  // namespace msb::server
