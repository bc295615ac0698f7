#include "server/libssl_api.h"

#include "common/error.h"
#include "os/shared_library.h"

#if !defined(__x86_64__)
#error "libssl_api.cc: the trampolines below are x86-64 assembly"
#endif

// The OpenSSL functions the server calls, asio::ssl's included (nm -u of the server's objects
// against libssl.so.3 and libcrypto.so.3 exports).
// clang-format off
#define MSB_LIBSSL_FUNCTIONS(X) \
  X(BIO_ctrl) X(BIO_ctrl_pending) X(BIO_free) X(BIO_new_bio_pair) X(BIO_new_mem_buf) \
  X(BIO_read) X(BIO_write) X(ERR_clear_error) X(ERR_get_error) X(ERR_peek_error) \
  X(ERR_peek_last_error) X(ERR_reason_error_string) X(EVP_PKEY_free) \
  X(PEM_read_bio_PrivateKey) X(PEM_read_bio_X509) X(PEM_read_bio_X509_AUX) \
  X(SSL_CTX_check_private_key) X(SSL_CTX_ctrl) X(SSL_CTX_free) \
  X(SSL_CTX_get_default_passwd_cb) X(SSL_CTX_get_default_passwd_cb_userdata) \
  X(SSL_CTX_get_ex_data) X(SSL_CTX_new) X(SSL_CTX_set_cipher_list) \
  X(SSL_CTX_set_default_passwd_cb_userdata) X(SSL_CTX_set_ex_data) X(SSL_CTX_set_options) \
  X(SSL_CTX_use_PrivateKey) X(SSL_CTX_use_certificate) X(SSL_accept) X(SSL_connect) \
  X(SSL_ctrl) X(SSL_free) X(SSL_get_error) X(SSL_get_ex_data) X(SSL_get_shutdown) X(SSL_new) \
  X(SSL_read) X(SSL_set_bio) X(SSL_set_ex_data) X(SSL_shutdown) X(SSL_write) \
  X(TLS_client_method) X(TLS_method) X(TLS_server_method) X(X509_free)

// clang-format on

extern "C" {

[[noreturn]] void msb_libssl_not_loaded() {
  msb::check_failed("an OpenSSL function was called before load_libssl()", __FILE__, __LINE__);
}

// One slot per function, pointing at msb_libssl_not_loaded until the library is loaded.
#define MSB_LIBSSL_SLOT(name) \
  void* msb_libssl_slot_##name = reinterpret_cast<void*>(&msb_libssl_not_loaded);
MSB_LIBSSL_FUNCTIONS(MSB_LIBSSL_SLOT)

// Each function: a jump through its slot, arguments and return untouched.
#define MSB_LIBSSL_TRAMPOLINE(name)                                         \
  ".globl " #name "\n.hidden " #name "\n.type " #name ", @function\n" #name \
  ":\n"                                                                     \
  "  jmp *msb_libssl_slot_" #name "(%rip)\n.size " #name ", . - " #name "\n"
asm(".text\n" MSB_LIBSSL_FUNCTIONS(MSB_LIBSSL_TRAMPOLINE));
}

namespace msb::server {

namespace {

Result<void> load() {
  os::SharedLibrary library = MSB_TRY(os::SharedLibrary::open("libssl.so.3"));
  // dlsym on libssl's handle searches libcrypto too (a dependency loaded with it).
#define MSB_LIBSSL_RESOLVE(name) msb_libssl_slot_##name = MSB_TRY(library.symbol(#name));
  MSB_LIBSSL_FUNCTIONS(MSB_LIBSSL_RESOLVE)
#undef MSB_LIBSSL_RESOLVE
  // OpenSSL cleans up in an atexit handler of its own: the library stays until exit.
  std::move(library).keep_loaded();
  return {};
}

}  // namespace

Result<void> load_libssl() {
  static const Result<void> loaded = load().context("TLS needs OpenSSL's libssl (install libssl3)");
  return loaded;
}

}  // namespace msb::server
