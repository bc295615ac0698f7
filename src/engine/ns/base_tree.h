// The built-in base image as the directory tree the namespace engine mounts as its lowest
// layer. A build tree has it at <kit>/base; an installed kit carries it as <kit>/base.tar
// (a package holding a tree of ~300 busybox applet links reads as 600 MB to dpkg), which
// is unpacked once per archive (its size and time) into $MSB_HOME/cache/base/<key>/.
#pragma once

#include <string>

#include "common/error.h"

namespace msb::engine::ns {

// The tree's directory for the kit at `kit`. Safe to call from several processes at once:
// each unpacks into its own temporary directory and one rename wins. Errors: kNotFound
// (neither the tree nor the archive), the archive's extraction errors (kInvalidArgument,
// kIo).
Result<std::string> base_tree_root(const std::string& kit);

}  // namespace msb::engine::ns
