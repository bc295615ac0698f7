// Random bytes from the kernel (getrandom(2)), for secrets such as the API server's token.
#pragma once

#include <cstddef>
#include <string>

#include "common/error.h"

namespace msb::os {

// `count` bytes; blocks only until the kernel's pool is initialised at boot. Thread-safe.
Result<std::string> random_bytes(size_t count);

}  // namespace msb::os
