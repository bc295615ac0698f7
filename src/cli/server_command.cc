#include "cli/server_command.h"

#include "cli/exit_codes.h"

namespace msb::cli {

CLI::App* ServerCommand::add_to(CLI::App& app) {
  CLI::App* sub = app.add_subcommand(
      "server", "Serve the HTTP API (docs/api/openapi.json) until SIGTERM or Ctrl-C");
  sub->add_option("--listen", options_.listen,
                  "HOST:PORT or [IPV6]:PORT to listen on (port 0: any free one)")
      ->capture_default_str();
  sub->add_option("--token-file", options_.token_file,
                  "The bearer token every request needs (default: $MSB_HOME/server/token, made "
                  "at first start, mode 0600)");
  sub->add_flag("--insecure-listen", options_.insecure_listen,
                "Allow a non-loopback address without TLS");
  sub->add_option("--tls-cert", options_.tls_cert_file,
                  "PEM certificate chain: serve HTTPS only (with --tls-key)");
  sub->add_option("--tls-key", options_.tls_key_file,
                  "PEM private key of --tls-cert (unencrypted)");
  sub->add_option("--max-body-bytes", options_.max_body_bytes, "Largest request body accepted")
      ->capture_default_str();
  sub->add_option("--max-upload-bytes", options_.max_upload_bytes,
                  "Largest file upload accepted (PUT .../files streams; it is not held in memory)")
      ->capture_default_str();
  sub->add_option("--rate-limit", options_.rate_limit,
                  "Requests per second per token, past a burst; more get 429 (0: no limit)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub->add_option("--rate-burst", options_.rate_burst,
                  "Requests at once before --rate-limit applies (default: twice the rate)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--read-timeout", options_.read_timeout_seconds,
                  "Seconds a request (or a TLS handshake) may take to arrive")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_option("--exec-attach-timeout", exec_attach_seconds_,
                  "Seconds a streamed exec waits for its event stream before it is killed")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  mcp_flags_.add_to(*sub, "MCP at /mcp: ");
  return sub;
}

Result<int> ServerCommand::run() {
  options_.mcp = MSB_TRY(mcp_flags_.options());
  options_.exec_attach_timeout = std::chrono::seconds(exec_attach_seconds_);
  MSB_TRY(server::serve(options_));
  return kExitOk;
}

}  // namespace msb::cli
