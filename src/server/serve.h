// `msb server`: the API server in the foreground until SIGTERM or SIGINT.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/error.h"
#include "mcp/mcp_options.h"

namespace msb::server {

struct ServeOptions {
  std::string listen = "127.0.0.1:7878";  // HOST:PORT, [IPv6]:PORT; port 0: any free one
  std::string token_file;                 // "": $MSB_HOME/server/token
  bool insecure_listen = false;           // allow a non-loopback address without TLS
  std::string tls_cert_file;              // PEM; with tls_key_file: HTTPS only
  std::string tls_key_file;
  size_t max_body_bytes = 16u << 20;
  uint64_t max_upload_bytes = uint64_t{4} << 30;  // PUT .../files streams past max_body_bytes
  double rate_limit = 200;                        // requests per second per token; 0: no limit
  double rate_burst = 0;               // requests at once past the rate; 0: twice the rate
  unsigned read_timeout_seconds = 30;  // a request (or a TLS handshake) must arrive within it
  // How long a streamed exec (POST .../execs) waits for its event stream before it is killed.
  std::chrono::milliseconds exec_attach_timeout{30'000};
  mcp::McpOptions mcp;  // the tools at /mcp
};

// Checks the options, reads or makes the token, loads the TLS certificate and key if given,
// listens, prints "listening on URL" (http:// or https://; stdout,
// one line, flushed: scripts and tests read the port from it), serves, and shuts down
// gracefully on SIGTERM/SIGINT: sandboxes created attached to the server are stopped, the
// others keep running. Errors: kInvalidArgument (the address; a non-loopback address
// without TLS or --insecure-listen; only one of the TLS files), the token file's errors, the
// TLS files' (tls_context.h), kAlreadyExists (address in use).
Result<void> serve(const ServeOptions& options);

// "127.0.0.1:7878" -> host, port; "[::1]:0" -> "::1", 0.
Result<std::pair<std::string, uint16_t>> parse_listen_address(const std::string& text);

}  // namespace msb::server
