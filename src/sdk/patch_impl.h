// What a public microsandbox::Patch holds: one config::RootfsPatch.
#pragma once

#include "config/rootfs_patch.h"
#include "microsandbox/patch.h"

namespace microsandbox {

struct Patch::Impl {
  msb::config::RootfsPatch patch;
};

struct PatchAccess {
  static const msb::config::RootfsPatch& patch(const Patch& patch) { return patch.impl_->patch; }
};

}  // namespace microsandbox
