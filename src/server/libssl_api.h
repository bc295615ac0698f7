// OpenSSL's libssl.so.3 (with its libcrypto.so.3), loaded the first time the server needs
// TLS instead of at every start of `msb`, which it would cost ~2 ms (docs/design/startup.md).
// asio::ssl calls OpenSSL's functions by name, so libssl_api.cc defines each function the
// server uses as a jump through a slot that load_libssl() fills from the loaded library (the
// technique of Implib.so). The server links no OpenSSL library: a function missing from the
// list in libssl_api.cc is an undefined symbol when `msb` links.
#pragma once

#include "common/error.h"

namespace msb::server {

// Loads libssl.so.3 and fills every slot, once; later calls return the first one's result.
// Errors: kUnsupported when the library or one of its functions is missing (install
// libssl3). Thread-safe. REQUIRES: called (successfully) before any OpenSSL function; one
// called earlier aborts the process.
Result<void> load_libssl();

}  // namespace msb::server
