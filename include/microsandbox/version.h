// The SDK's version.
#pragma once

#include "microsandbox/export.h"

namespace microsandbox {

// "0.1.0": the version of the library this program runs with. Thread-safe.
MSB_EXPORT const char* version();

}  // namespace microsandbox
