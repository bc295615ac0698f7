// Platforms: the host's, and picking an index entry for one.
#include <fmt/format.h>

#include "image/manifest.h"

namespace msb::image {

std::string Platform::str() const {
  std::string text = os + "/" + architecture;
  if (!variant.empty()) text += "/" + variant;
  return text;
}

Platform host_platform() {
#if defined(__x86_64__)
  return Platform{"linux", "amd64", ""};
#elif defined(__aarch64__)
  return Platform{"linux", "arm64", "v8"};
#else
#error "unsupported host architecture"
#endif
}

Result<Descriptor> select_platform(const Index& index, const Platform& platform) {
  const Descriptor* fallback = nullptr;
  std::string available;
  for (const Descriptor& entry : index.manifests) {
    if (!entry.platform) continue;
    const Platform& candidate = *entry.platform;
    if (!available.empty()) available += ", ";
    available += candidate.str();
    if (candidate.os != platform.os || candidate.architecture != platform.architecture) continue;
    if (platform.variant.empty() || candidate.variant == platform.variant) return entry;
    if (candidate.variant.empty() && fallback == nullptr) fallback = &entry;
  }
  if (fallback != nullptr) return *fallback;
  return err(ErrorKind::kNotFound, "no manifest for platform {} in the index (available: {})",
             platform.str(), available.empty() ? "none" : available);
}

}  // namespace msb::image
