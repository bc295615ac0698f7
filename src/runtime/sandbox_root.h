// The engine a sandbox config asks for, and the read-only root it boots from. Shared by the
// SDK (checks at create/start) and the supervisor (launch).
#pragma once

#include <memory>
#include <string>

#include "common/error.h"
#include "config/sandbox_config.h"
#include "engine/engine.h"

namespace msb::runtime {

// kInvalidConfig for an unknown isolation name.
Result<std::unique_ptr<engine::Engine>> engine_for(const config::SandboxConfig& config);

// The image's root in `engine`'s form. Until OCI pulls land only the built-in "base" image
// exists: kImageNotFound for others, kUnsupported for bind and disk roots, kNotFound when
// the build did not produce the artifact.
Result<std::string> image_root(const engine::Engine& engine, const config::SandboxConfig& config);

}  // namespace msb::runtime
