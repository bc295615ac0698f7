#include "server/http_server.h"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <future>
#include <limits>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "microsandbox/error.h"
#include "server/http_messages.h"
#include "server/rate_limiter.h"
#include "server/server_token.h"
#include "server/tls_context.h"

namespace msb::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

using HttpRequest = http::request<http::string_body>;
using HeaderParser = http::request_parser<http::empty_body>;

// Whether the request declares a body longer than `limit` (a chunked one is stopped by the
// parser's body limit instead).
bool declared_over(const HeaderParser& parser, uint64_t limit) {
  return parser.content_length() && *parser.content_length() > limit;
}

// Socket reads of a streamed request body, at most.
constexpr size_t kUploadReadBytes = 256 << 10;

// Why a streamed request body stopped early.
enum class BodyFailure { kNone, kTooLarge, kClientGone };

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  const Router& router;
  std::unique_ptr<net::ssl::context> tls;  // null: plain HTTP
  RateLimiter limiter{{options.rate_per_second, options.rate_burst}};
  net::io_context io{options.io_threads};
  net::thread_pool workers{static_cast<size_t>(options.worker_threads)};
  // Streamed answers each hold a thread while they run (ExecSessions bounds how many).
  net::thread_pool streamers{static_cast<size_t>(options.stream_threads)};
  tcp::acceptor acceptor{io};
  std::atomic<size_t> connections{0};
  std::atomic<bool> stopping{false};
  net::steady_timer grace_timer{io};

  Impl(HttpServerOptions opts, const Router& r) : options(std::move(opts)), router(r) {}

  net::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(net::redirect_error(net::use_awaitable, ec));
      if (ec) {
        if (stopping || ec == net::error::operation_aborted) co_return;
        continue;  // EMFILE and the like: keep serving the connections there are
      }
      if (connections >= options.max_connections) {
        socket.close(ec);
        continue;
      }
      ++connections;
      auto done = [this](std::exception_ptr) { --connections; };
      if (tls)
        net::co_spawn(io, tls_session(std::move(socket)), done);
      else
        net::co_spawn(io, plain_session(std::move(socket)), done);
    }
  }

  // 401 without the token, 429 past its rate; nothing when the request may go on.
  std::optional<ApiResponse> refuse(const HttpHeader& header) {
    auto auth = header.find(http::field::authorization);
    if (auth == header.end() ||
        !bearer_matches(std::string_view(auth->value().data(), auth->value().size()),
                        options.token))
      return ApiResponse{401, "application/json", "{}"};
    // After the token check: a wrong token costs no one's rate.
    if (std::chrono::seconds wait = limiter.acquire(options.token); wait.count() > 0)
      return rate_limited(wait);
    return std::nullopt;
  }

  ApiResponse handle(const HttpRequest& request) {
    if (std::optional<ApiResponse> refused = refuse(request)) return std::move(*refused);
    ApiRequest api = to_api_request(request);
    api.body = request.body();
    return router.dispatch(std::move(api));
  }

  net::awaitable<void> plain_session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    co_await serve_requests(stream);
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // The handshake is under the read timeout: a client that never makes one is dropped.
  net::awaitable<void> tls_session(tcp::socket socket) {
    TlsStream stream(std::move(socket), *tls);
    boost::system::error_code ec;
    beast::get_lowest_layer(stream).expires_after(options.read_timeout);
    co_await stream.async_handshake(net::ssl::stream_base::server,
                                    net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return;
    co_await serve_requests(stream);
    // close_notify both ways, briefly: a client that does not answer it is not waited for.
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(net::redirect_error(net::use_awaitable, ec));
  }

  // The requests of one connection, in turn, over plain TCP or TLS (a template, so the
  // plain path pays nothing for TLS). The header comes first: the route says whether the
  // body is read whole (up to max_body_bytes) or handed to the handler as it arrives.
  template <class Stream>
  net::awaitable<void> serve_requests(Stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
      HeaderParser header_parser;
      // The route's limit is checked below. (Not boost::none: Boost 1.74 compares a
      // Content-Length with it as if it were 0.)
      header_parser.body_limit(std::numeric_limits<uint64_t>::max());
      beast::get_lowest_layer(stream).expires_after(options.read_timeout);
      boost::system::error_code ec;
      co_await http::async_read_header(stream, buffer, header_parser,
                                       net::redirect_error(net::use_awaitable, ec));
      if (ec) break;  // closed, timed out or malformed: nothing to answer
      const HttpHeader& header = header_parser.get();
      // (Not a ?: of two co_awaits: GCC 12 fails on that with an internal error.)
      bool keep_alive = false;
      if (router.streams_body(std::string(header.method_string()), target_path(header)))
        keep_alive = co_await receive_streamed(stream, buffer, header_parser);
      else
        keep_alive = co_await receive_whole(stream, buffer, header_parser);
      if (!keep_alive) break;
    }
  }

  // Writes `api`; whether the connection may serve another request.
  template <class Stream>
  net::awaitable<bool> answer(Stream& stream, const ApiResponse& api, unsigned version,
                              bool keep_alive) {
    HttpResponse response = to_http(api, version, keep_alive);
    boost::system::error_code ec;
    beast::get_lowest_layer(stream).expires_after(options.read_timeout);
    co_await http::async_write(stream, response, net::redirect_error(net::use_awaitable, ec));
    co_return !ec && keep_alive;
  }

  template <class Stream>
  net::awaitable<bool> receive_whole(Stream& stream, beast::flat_buffer& buffer,
                                     HeaderParser& header_parser) {
    if (declared_over(header_parser, options.max_body_bytes))
      co_return co_await answer(stream, body_too_large(options.max_body_bytes), 11, false);
    http::request_parser<http::string_body> parser{std::move(header_parser)};
    parser.body_limit(options.max_body_bytes);
    beast::get_lowest_layer(stream).expires_after(options.read_timeout);
    boost::system::error_code ec;
    co_await http::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
    if (ec == http::error::body_limit)
      co_return co_await answer(stream, body_too_large(options.max_body_bytes), 11, false);
    if (ec) co_return false;
    HttpRequest request = parser.release();
    bool keep_alive = request.keep_alive() && !stopping;
    // Handlers block (they call the SDK): they run on the worker pool, and the coroutine
    // resumes on this connection's I/O thread with the answer.
    ApiResponse api = co_await net::co_spawn(
        workers, [this, &request]() -> net::awaitable<ApiResponse> { co_return handle(request); },
        net::use_awaitable);
    if (api.stream) {
      co_await send_stream(stream, api, request.version());
      co_return false;
    }
    co_return co_await answer(stream, api, request.version(), keep_alive);
  }

  // A route that streams its request body (Router::add_streaming): the token is checked on
  // the header, then the handler runs on a streamer thread and pulls the body through
  // ApiRequest::read_body, up to max_upload_bytes, each read posted to this connection.
  template <class Stream>
  net::awaitable<bool> receive_streamed(Stream& stream, beast::flat_buffer& buffer,
                                        HeaderParser& header_parser) {
    const HttpHeader& header = header_parser.get();
    unsigned version = header.version();
    // Refused before its body is read: the connection cannot serve another request.
    if (std::optional<ApiResponse> refused = refuse(header))
      co_return co_await answer(stream, *refused, version, false);
    if (declared_over(header_parser, options.max_upload_bytes))
      co_return co_await answer(stream, body_too_large(options.max_upload_bytes), version, false);
    boost::system::error_code ec;
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      http::response<http::empty_body> go_on{http::status::continue_, version};
      beast::get_lowest_layer(stream).expires_after(options.read_timeout);
      co_await http::async_write(stream, go_on, net::redirect_error(net::use_awaitable, ec));
      if (ec) co_return false;
    }
    ApiRequest api = to_api_request(header);
    http::request_parser<http::buffer_body> parser{std::move(header_parser)};
    parser.body_limit(options.max_upload_bytes);
    // Beast reads as much as the buffer holds, which the header left at ~512 bytes: a
    // read (and a hand-over to the handler's thread) per 512 bytes would triple the time.
    buffer.reserve(kUploadReadBytes);
    BodyFailure failure = BodyFailure::kNone;
    api.read_body = [&](char* out, size_t size) {
      return read_piece(stream, buffer, parser, failure, out, size);
    };
    ApiResponse reply = co_await net::co_spawn(
        streamers,
        [this, &api]() -> net::awaitable<ApiResponse> {
          co_return router.dispatch(std::move(api));
        },
        net::use_awaitable);
    if (failure == BodyFailure::kClientGone) co_return false;
    if (failure == BodyFailure::kTooLarge) reply = body_too_large(options.max_upload_bytes);
    bool keep_alive = parser.is_done() && parser.get().keep_alive() && !stopping;
    co_return co_await answer(stream, reply, version, keep_alive);
  }

  // ApiRequest::read_body, on a streamer thread: the next piece of the body into `out`.
  template <class Stream>
  size_t read_piece(Stream& stream, beast::flat_buffer& buffer,
                    http::request_parser<http::buffer_body>& parser, BodyFailure& failure,
                    char* out, size_t size) {
    using microsandbox::Error;
    using microsandbox::ErrorKind;
    if (failure != BodyFailure::kNone)
      throw Error(ErrorKind::kIo, "request body: the read failed already");
    while (!parser.is_done()) {
      auto read = std::make_shared<std::promise<boost::system::error_code>>();
      std::future<boost::system::error_code> result = read->get_future();
      net::post(stream.get_executor(), [&, read] {
        parser.get().body().data = out;
        parser.get().body().size = size;
        beast::get_lowest_layer(stream).expires_after(options.read_timeout);
        http::async_read_some(stream, buffer, parser, [read](boost::system::error_code ec, size_t) {
          read->set_value(ec);
        });
      });
      // The I/O threads stopped (shutdown past its grace): the client counts as gone.
      boost::system::error_code ec = http::error::end_of_stream;
      if (result.wait_for(options.read_timeout + std::chrono::seconds(5)) ==
          std::future_status::ready)
        ec = result.get();
      if (ec == http::error::need_buffer) ec = {};  // `out` is full
      if (ec == http::error::body_limit) {
        failure = BodyFailure::kTooLarge;
        throw Error(ErrorKind::kInvalidArgument, "request body over the upload limit");
      }
      if (ec) {
        failure = BodyFailure::kClientGone;
        throw Error(ErrorKind::kIo, "request body: " + ec.message());
      }
      size_t got = size - parser.get().body().size;
      if (got > 0) return got;  // else only framing (a chunk header) arrived
    }
    return 0;
  }

  // A streamed answer: the header, then chunks written by api.stream on a streamer thread
  // (each write posted to this connection's executor, which is idle meanwhile: this
  // coroutine waits for the stream to end), then the last chunk.
  template <class Stream>
  net::awaitable<void> send_stream(Stream& stream, const ApiResponse& api, unsigned version) {
    http::response<http::empty_body> header{static_cast<http::status>(api.status), version};
    header.set(http::field::server, "msb-server");
    header.set(http::field::content_type, api.content_type);
    header.set(http::field::cache_control, "no-cache");
    header.chunked(true);
    header.keep_alive(false);
    http::response_serializer<http::empty_body> serializer{header};
    boost::system::error_code ec;
    beast::get_lowest_layer(stream).expires_after(options.read_timeout);
    co_await http::async_write_header(stream, serializer,
                                      net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return;
    auto executor = stream.get_executor();
    auto timeout = options.read_timeout;
    auto send = [&stream, executor, timeout](std::string_view chunk) -> bool {
      // Shared with the posted write: after a timeout here the write may still run.
      auto written = std::make_shared<std::promise<bool>>();
      auto data = std::make_shared<std::string>(chunk);
      std::future<bool> result = written->get_future();
      net::post(executor, [&stream, written, data, timeout] {
        beast::get_lowest_layer(stream).expires_after(timeout);
        net::async_write(stream, http::make_chunk(net::buffer(*data)),
                         [written, data](boost::system::error_code error, size_t) {
                           written->set_value(!error);
                         });
      });
      // The I/O threads stopped (shutdown past its grace): the client counts as gone.
      if (result.wait_for(timeout + std::chrono::seconds(5)) != std::future_status::ready)
        return false;
      return result.get();
    };
    co_await net::co_spawn(
        streamers,
        [&]() -> net::awaitable<void> {
          api.stream(send);
          co_return;
        },
        net::use_awaitable);
    beast::get_lowest_layer(stream).expires_after(options.read_timeout);
    co_await net::async_write(stream, http::make_chunk_last(),
                              net::redirect_error(net::use_awaitable, ec));
  }

  void begin_stop() {
    net::post(io, [this] {
      if (stopping.exchange(true)) return;
      boost::system::error_code ec;
      acceptor.close(ec);
      // Requests in progress get the grace period; then whatever is left is dropped.
      grace_timer.expires_after(options.shutdown_grace);
      grace_timer.async_wait([this](boost::system::error_code) { io.stop(); });
      poll_idle();
    });
  }

  // Ends the run as soon as no connection is left, without waiting out the grace period.
  void poll_idle() {
    if (connections == 0) {
      io.stop();
      return;
    }
    auto timer = std::make_shared<net::steady_timer>(io, std::chrono::milliseconds(50));
    timer->async_wait([this, timer](boost::system::error_code) { poll_idle(); });
  }
};

Result<std::unique_ptr<HttpServer>> HttpServer::listen(const HttpServerOptions& options,
                                                       const Router& router) {
  auto impl = std::make_unique<Impl>(options, router);
  if (!options.tls_cert_file.empty())
    impl->tls = MSB_TRY(make_tls_context(options.tls_cert_file, options.tls_key_file));
  boost::system::error_code ec;
  net::ip::address address = net::ip::make_address(options.host, ec);
  if (ec)
    return err(ErrorKind::kInvalidArgument, "listen address {}: {}", options.host, ec.message());
  tcp::endpoint endpoint(address, options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return err(ec == net::error::address_in_use ? ErrorKind::kAlreadyExists : ErrorKind::kIo,
               "listen on {}:{}: {}", options.host, options.port, ec.message());
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { impl_->workers.join(); }

uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::stop() { impl_->begin_stop(); }

void HttpServer::run(bool handle_signals) {
  Impl& impl = *impl_;
  std::optional<net::signal_set> signals;
  if (handle_signals) {
    signals.emplace(impl.io, SIGTERM, SIGINT);
    signals->async_wait([&impl](boost::system::error_code ec, int) {
      if (!ec) impl.begin_stop();
    });
  }
  net::co_spawn(impl.io, impl.accept_loop(), net::detached);
  std::vector<std::thread> threads;
  for (int i = 1; i < impl.options.io_threads; ++i)
    threads.emplace_back([&impl] { impl.io.run(); });
  impl.io.run();
  for (std::thread& thread : threads) thread.join();
  impl.workers.join();
  impl.streamers.join();
}

}  // namespace msb::server
