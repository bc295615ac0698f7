#include "mcp/mcp_options.h"

namespace msb::mcp {

Result<void> set_code_image(McpOptions& options, const std::string& spec) {
  size_t equals = spec.find('=');
  if (equals == std::string::npos || equals + 1 == spec.size())
    return err(ErrorKind::kInvalidArgument, "--code-image {}: expected LANGUAGE=IMAGE", spec);
  std::string language = spec.substr(0, equals);
  auto it = options.code_images.find(language);
  if (it == options.code_images.end())
    return err(ErrorKind::kInvalidArgument,
               "--code-image {}: the language must be python, node or sh", spec);
  it->second = spec.substr(equals + 1);
  return {};
}

}  // namespace msb::mcp
