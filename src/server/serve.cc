#include "server/serve.h"

#include <cstdio>

#include "common/paths.h"
#include "server/api.h"
#include "server/http_server.h"
#include "server/server_token.h"

namespace msb::server {

namespace {

bool is_loopback(const std::string& host) {
  return host == "::1" || host == "localhost" || host.rfind("127.", 0) == 0;
}

}  // namespace

Result<std::pair<std::string, uint16_t>> parse_listen_address(const std::string& text) {
  std::string host;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return err(ErrorKind::kInvalidArgument, "--listen {}: expected [IPV6]:PORT", text);
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon)
      return err(ErrorKind::kInvalidArgument, "--listen {}: expected HOST:PORT", text);
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (host.empty() || port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port_text) > 65535)
    return err(ErrorKind::kInvalidArgument, "--listen {}: expected HOST:PORT with a port 0-65535",
               text);
  if (host == "localhost") host = "127.0.0.1";
  return std::pair<std::string, uint16_t>{host, static_cast<uint16_t>(std::stoul(port_text))};
}

Result<void> serve(const ServeOptions& options) {
  auto [host, port] = MSB_TRY(parse_listen_address(options.listen));
  bool tls = !options.tls_cert_file.empty();
  if (tls != !options.tls_key_file.empty())
    return err(ErrorKind::kInvalidArgument, "--tls-cert and --tls-key go together: give both");
  if (!is_loopback(host) && !tls && !options.insecure_listen)
    return err(ErrorKind::kInvalidArgument,
               "--listen {}: not a loopback address; the API would be reachable from other "
               "machines with the token in clear: give --tls-cert and --tls-key, or pass "
               "--insecure-listen to do it anyway",
               options.listen);
  std::string token_file =
      options.token_file.empty() ? msb_home() + "/server/token" : options.token_file;
  HttpServerOptions http;
  http.host = host;
  http.port = port;
  http.token = MSB_TRY(load_or_create_token(token_file));
  http.max_body_bytes = options.max_body_bytes;
  http.max_upload_bytes = options.max_upload_bytes;
  http.rate_per_second = options.rate_limit;
  http.rate_burst = options.rate_burst > 0 ? options.rate_burst : 2 * options.rate_limit;
  http.read_timeout = std::chrono::seconds(options.read_timeout_seconds);
  http.tls_cert_file = options.tls_cert_file;
  http.tls_key_file = options.tls_key_file;
  // The attached sandboxes' handles go (and those sandboxes stop) after the server stopped.
  ApiState state(options.mcp, options.exec_attach_timeout);
  Router router;
  add_api_routes(router, state);
  std::unique_ptr<HttpServer> server = MSB_TRY(HttpServer::listen(http, router));
  std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::printf("listening on %s://%s:%u\n", tls ? "https" : "http", shown_host.c_str(),
              server->port());
  std::fflush(stdout);
  std::fprintf(stderr, "msb server: token in %s; stop with SIGTERM or Ctrl-C\n",
               token_file.c_str());
  server->run(true);
  if (state.attached.size() > 0)
    std::fprintf(stderr, "msb server: stopping %zu attached sandbox(es)\n", state.attached.size());
  state.attached.stop_all(std::chrono::seconds(10));
  std::fprintf(stderr, "msb server: stopped\n");
  return {};
}

}  // namespace msb::server
