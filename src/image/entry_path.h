// Where a tar entry of a layer goes inside the layer's root, decided on the name alone.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace msb::image {

// SECURITY: the entry name `name` made relative to the layer root: a leading "/" is
// dropped (an absolute name lands inside the root, as with docker), empty and "."
// components go, and ".." is resolved lexically. kInvalidArgument when ".." climbs above
// the root (such a layer is hostile). "" names the root itself. Symlinks on the way are
// the writer's concern (it refuses to go through them). Thread-safe.
Result<std::string> clean_entry_path(std::string_view name);

// The last component of a cleaned path ("" for the root) and everything before it.
std::string_view base_name(std::string_view path);
std::string_view dir_name(std::string_view path);

}  // namespace msb::image
