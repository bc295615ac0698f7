// HttpServer: the API on HTTP/1.1, with Boost.Beast over Boost.Asio (docs/design/server.md
// says why Beast). Connections are C++20 coroutines on a few I/O threads, so idle or slow
// clients cost a little memory each, never a thread; route handlers, which call the SDK and
// may block for seconds (a boot, a pull), run on a separate pool of worker threads.
//
// With a certificate and key it speaks HTTPS only (TLS 1.2 or later), the handshake under
// the read timeout. Every request needs `Authorization: Bearer <token>`: otherwise 401 with an
// empty body. A body over the limit gets 413 before it is read, a request that does not arrive
// within the read timeout closes its connection, and past max_connections new connections are
// closed at once. stop() (or SIGTERM/SIGINT in run()) stops accepting, lets the requests in
// progress finish for up to the grace period, then closes what is left.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/error.h"
#include "server/router.h"

namespace msb::server {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 7878;  // 0: any free port (see HttpServer::port())
  std::string token;
  // PEM files: HTTPS only when set (both or neither; tls_context.h).
  std::string tls_cert_file;
  std::string tls_key_file;
  size_t max_body_bytes = 16u << 20;
  // The body of a route that streams it (Router::add_streaming): an upload.
  uint64_t max_upload_bytes = uint64_t{4} << 30;
  // Requests per second per token, after a burst (RateLimiter); per_second 0: no limit.
  double rate_per_second = 200;
  double rate_burst = 400;
  std::chrono::milliseconds read_timeout = std::chrono::seconds(30);
  std::chrono::milliseconds shutdown_grace = std::chrono::seconds(10);
  size_t max_connections = 512;
  int io_threads = 2;
  int worker_threads = 16;
  int stream_threads = 64;  // streamed answers at once (as ExecSessions::kMaxSessions)
};

class HttpServer {
 public:
  // Loads the TLS files if any (tls_context.h's errors), binds and listens (errors: the
  // address is taken, not permitted, ...); serves once run() is called. `router` must outlive the
  // server.
  static Result<std::unique_ptr<HttpServer>> listen(const HttpServerOptions& options,
                                                    const Router& router);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;
  // Serves until stop() or, with `handle_signals`, SIGTERM or SIGINT; then shuts down
  // gracefully and returns.
  void run(bool handle_signals);
  // Thread-safe; run() returns after the graceful shutdown.
  void stop();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace msb::server
