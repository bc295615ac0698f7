// The namespace engine (engine.cc: its files; launch.cc: how a sandbox starts).
#pragma once

#include <memory>
#include <string>

#include "engine/engine.h"

namespace msb::engine::ns {

class NsEngine final : public Engine {
 public:
  Isolation isolation() const override { return Isolation::kNamespace; }
  Result<std::string> base_image_root() const override;
  std::string writable_layer_path(const std::string& sandbox_dir) const override;
  Result<void> create_writable_layer(const std::string& path, bool ephemeral,
                                     uint64_t size_bytes) const override;
  Result<void> grow_writable_layer(const std::string& path, uint64_t new_bytes) const override;
  bool has_writable_layer(const std::string& path) const override;
  std::string layer_artifact_name() const override { return "upper.tar"; }
  Result<void> export_writable_layer(const std::string& path,
                                     const std::string& out) const override;
  Result<void> import_writable_layer(const std::string& artifact,
                                     const std::string& path) const override;
  Result<std::unique_ptr<Instance>> launch(const LaunchSpec& spec) override;

  // The overlay's upper and work directories inside a writable layer.
  static std::string upper_dir(const std::string& layer);
  static std::string work_dir(const std::string& layer);
};

}  // namespace msb::engine::ns
