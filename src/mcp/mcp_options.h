// What `msb mcp` and the server's /mcp endpoint are configured with.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

#include "common/error.h"

namespace msb::mcp {

struct McpOptions {
  // sandbox_run_code: the image for each language, unless the call names an image or a
  // sandbox. `--code-image LANG=REF` changes one.
  std::map<std::string, std::string> code_images = {
      {"python", "python"}, {"node", "node"}, {"sh", "base"}};
  // Output kept per stream of a command before it is clipped with a note (a call may ask for
  // less or more, up to kMaxOutputBytes): a model's context is not the place for megabytes.
  size_t output_bytes = 64 << 10;
  static constexpr size_t kMaxOutputBytes = 4u << 20;
  // The engine of the sandboxes the tools create ("vm", "namespace"; "": the SDK's default,
  // vm). The operator's choice, not the model's: the namespace engine isolates less.
  std::string isolation;
  // A command's time limit when the call gives none; the process group is killed past it.
  std::chrono::seconds exec_timeout{300};
};

}  // namespace msb::mcp

namespace msb::mcp {

// "--code-image python=REF": sets the image of one of the languages (python, node, sh).
// Errors: kInvalidArgument (no '=', an unknown language, an empty reference).
Result<void> set_code_image(McpOptions& options, const std::string& spec);

}  // namespace msb::mcp
