#include "server/http_server.h"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <future>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "server/api_error.h"
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
using HttpResponse = http::response<http::string_body>;

std::multimap<std::string, std::string> parse_query(std::string_view query) {
  std::multimap<std::string, std::string> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key, value;
    std::string raw_key(pair.substr(0, eq));
    std::string raw_value(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    for (char& c : raw_key) c = c == '+' ? ' ' : c;
    for (char& c : raw_value) c = c == '+' ? ' ' : c;
    if (percent_decode(raw_key, key) && percent_decode(raw_value, value))
      out.emplace(std::move(key), std::move(value));
  }
  return out;
}

ApiResponse rate_limited(std::chrono::seconds wait) {
  ApiResponse response = error_response(
      429, "rate-limited",
      "too many requests for this token; retry after " + std::to_string(wait.count()) + " s");
  response.headers.emplace_back("Retry-After", std::to_string(wait.count()));
  return response;
}

HttpResponse to_http(const ApiResponse& api, unsigned version, bool keep_alive) {
  HttpResponse response{static_cast<http::status>(api.status), version};
  response.set(http::field::server, "msb-server");
  if (!api.body.empty() || api.status != 204) {
    response.set(http::field::content_type, api.content_type);
    response.body() = api.body;
  }
  for (const auto& [name, value] : api.headers) response.set(name, value);
  response.keep_alive(keep_alive);
  response.prepare_payload();
  return response;
}

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

  ApiResponse handle(const HttpRequest& request) {
    auto auth = request.find(http::field::authorization);
    if (auth == request.end() ||
        !bearer_matches(std::string_view(auth->value().data(), auth->value().size()),
                        options.token))
      return ApiResponse{401, "application/json", "{}"};
    // After the token check: a wrong token costs no one's rate.
    if (std::chrono::seconds wait = limiter.acquire(options.token); wait.count() > 0)
      return rate_limited(wait);
    ApiRequest api;
    api.method = std::string(request.method_string());
    std::string_view target(request.target().data(), request.target().size());
    size_t question = target.find('?');
    api.path = std::string(target.substr(0, question));
    if (question != std::string_view::npos) api.query = parse_query(target.substr(question + 1));
    api.body = request.body();
    for (const auto& field : request) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (name == "authorization") continue;  // checked above; no route needs the token
      std::string& value = api.headers[name];
      value += (value.empty() ? "" : ", ") + std::string(field.value());
    }
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
  // plain path pays nothing for TLS).
  template <class Stream>
  net::awaitable<void> serve_requests(Stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(options.max_body_bytes);
      beast::get_lowest_layer(stream).expires_after(options.read_timeout);
      boost::system::error_code ec;
      co_await http::async_read(stream, buffer, parser,
                                net::redirect_error(net::use_awaitable, ec));
      if (ec == http::error::body_limit) {
        ApiResponse too_large = error_response(
            413, "invalid-argument",
            "request body over the limit of " + std::to_string(options.max_body_bytes) + " bytes");
        HttpResponse response = to_http(too_large, 11, false);
        beast::get_lowest_layer(stream).expires_after(options.read_timeout);
        co_await http::async_write(stream, response, net::redirect_error(net::use_awaitable, ec));
        break;
      }
      if (ec) break;  // closed, timed out or malformed: nothing to answer
      HttpRequest request = parser.release();
      bool keep_alive = request.keep_alive() && !stopping;
      // Handlers block (they call the SDK): they run on the worker pool, and the coroutine
      // resumes on this connection's I/O thread with the answer.
      ApiResponse api = co_await net::co_spawn(
          workers, [this, &request]() -> net::awaitable<ApiResponse> { co_return handle(request); },
          net::use_awaitable);
      if (api.stream) {
        co_await send_stream(stream, api, request.version());
        break;
      }
      HttpResponse response = to_http(api, request.version(), keep_alive);
      beast::get_lowest_layer(stream).expires_after(options.read_timeout);
      co_await http::async_write(stream, response, net::redirect_error(net::use_awaitable, ec));
      if (ec || !keep_alive) break;
    }
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
