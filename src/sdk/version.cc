#include "microsandbox/version.h"

namespace microsandbox {

const char* version() { return MSB_VERSION; }

}  // namespace microsandbox
