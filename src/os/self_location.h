// Where this process's code lives on disk: how an installed msb, msb-runtime or SDK finds
// the files installed beside it, wherever the prefix is (/usr, /opt/..., a staging dir).
#pragma once

#include <string>

namespace msb::os {

// The directory of this process's executable (/proc/self/exe); "" when it cannot be read.
std::string executable_dir();
// The directory of the ELF object (the executable or a shared library) that holds
// `address`, e.g. a function's (dladdr); "" when none does.
std::string object_dir(const void* address);

}  // namespace msb::os
