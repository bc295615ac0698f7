#include "server/server_main.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "mcp/mcp_flags.h"
#include "server/serve.h"

namespace msb::server {

namespace {

// As msb's documented exit codes (src/cli/exit_codes.h), which this binary stands in for.
constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;
constexpr int kExitFailed = 125;

int fail(const Error& error) {
  std::fprintf(stderr, "msb: error: %s\n", error.message.c_str());
  return error.kind == ErrorKind::kInvalidArgument ? kExitUsage : kExitFailed;
}

}  // namespace

int server_main(const std::vector<std::string>& args) {
  ServeOptions options;
  mcp::McpFlags mcp_flags;
  int exec_attach_seconds = 30;
  CLI::App app("Serve the HTTP API (docs/api/openapi.json) until SIGTERM or Ctrl-C", "msb server");
  app.add_option("--listen", options.listen,
                 "HOST:PORT or [IPV6]:PORT to listen on (port 0: any free one)")
      ->capture_default_str();
  app.add_option("--token-file", options.token_file,
                 "The bearer token every request needs (default: $MSB_HOME/server/token, made "
                 "at first start, mode 0600)");
  app.add_flag("--insecure-listen", options.insecure_listen,
               "Allow a non-loopback address without TLS");
  app.add_option("--tls-cert", options.tls_cert_file,
                 "PEM certificate chain: serve HTTPS only (with --tls-key)");
  app.add_option("--tls-key", options.tls_key_file, "PEM private key of --tls-cert (unencrypted)");
  app.add_option("--max-body-bytes", options.max_body_bytes, "Largest request body accepted")
      ->capture_default_str();
  app.add_option("--max-upload-bytes", options.max_upload_bytes,
                 "Largest file upload accepted (PUT .../files streams; it is not held in memory)")
      ->capture_default_str();
  app.add_option("--rate-limit", options.rate_limit,
                 "Requests per second per token, past a burst; more get 429 (0: no limit)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--rate-burst", options.rate_burst,
                 "Requests at once before --rate-limit applies (default: twice the rate)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--read-timeout", options.read_timeout_seconds,
                 "Seconds a request (or a TLS handshake) may take to arrive")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--exec-attach-timeout", exec_attach_seconds,
                 "Seconds a streamed exec waits for its event stream before it is killed")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  mcp_flags.add_to(app, "MCP at /mcp: ");
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  Result<mcp::McpOptions> mcp = mcp_flags.options();
  if (!mcp) return fail(mcp.error());
  options.mcp = std::move(*mcp);
  options.exec_attach_timeout = std::chrono::seconds(exec_attach_seconds);
  Result<void> served = serve(options);
  return served ? kExitOk : fail(served.error());
}

}  // namespace msb::server
