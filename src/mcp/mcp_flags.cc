#include "mcp/mcp_flags.h"

namespace msb::mcp {

void McpFlags::add_to(CLI::App& command, const std::string& prefix) {
  command.add_option("--code-image", code_images,
                     prefix +
                         "LANGUAGE=IMAGE: the image sandbox_run_code uses for python, node "
                         "or sh (defaults: python, node, base)");
  command
      .add_option("--max-output-bytes", output_bytes,
                  prefix + "Bytes of each output stream a tool returns before clipping")
      ->capture_default_str();
  command
      .add_option("--exec-timeout", exec_timeout,
                  prefix + "Seconds a command may run when the call sets no timeout")
      ->capture_default_str();
  command.add_option("--isolation", isolation,
                     prefix +
                         "Engine of the sandboxes the tools create: vm (default) or "
                         "namespace (weaker isolation)");
}

Result<McpOptions> McpFlags::options() const {
  McpOptions options;
  for (const std::string& spec : code_images) MSB_TRY(set_code_image(options, spec));
  if (output_bytes < 256 || output_bytes > McpOptions::kMaxOutputBytes)
    return err(ErrorKind::kInvalidArgument, "--max-output-bytes must be from 256 to {}",
               McpOptions::kMaxOutputBytes);
  if (exec_timeout < 1 || exec_timeout > 24 * 3600)
    return err(ErrorKind::kInvalidArgument, "--exec-timeout must be from 1 to 86400 seconds");
  if (!isolation.empty() && isolation != "vm" && isolation != "namespace")
    return err(ErrorKind::kInvalidArgument, "--isolation must be vm or namespace, got '{}'",
               isolation);
  options.output_bytes = output_bytes;
  options.exec_timeout = std::chrono::seconds(exec_timeout);
  options.isolation = isolation;
  return options;
}

}  // namespace msb::mcp
