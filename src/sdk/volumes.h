// The named-volume operations behind `msb volume ...` and the SDK's Volume API: each opens
// the state store under $MSB_HOME, works through runtime/named_volumes.h, and closes it.
// Thread-safe: every call has its own store connection.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "runtime/named_volumes.h"
#include "store/volume_records.h"

namespace msb::sdk {

// A volume with the sandboxes that mount it, as read at one moment.
struct VolumeView {
  store::VolumeRecord record;
  std::vector<std::string> used_by;  // sandbox names, sorted
};

// Creates a volume. Errors: those of runtime::create_named_volume (kInvalidConfig,
// kUnsupported, kAlreadyExists).
Result<VolumeView> create_volume(const runtime::NewNamedVolume& volume);

// The volume named `name`. Errors: kInvalidConfig (the name), kNotFound "volume '<name>'
// not found".
Result<VolumeView> get_volume(std::string_view name);

// Every volume, by name.
Result<std::vector<VolumeView>> list_volumes();

// Removes a volume and its directory. Errors: those of runtime::remove_named_volume
// (kInvalidConfig, kNotFound, kStillRunning).
Result<void> remove_volume(std::string_view name, bool force);

}  // namespace msb::sdk
