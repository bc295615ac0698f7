// What a public microsandbox::Mount holds: the config's VolumeMount without its target,
// which SandboxBuilder::volume() supplies.
#pragma once

#include "config/volume_mount.h"
#include "microsandbox/mount.h"

namespace microsandbox {

struct Mount::Impl {
  msb::config::VolumeMount mount;
};

struct MountAccess {
  static const msb::config::VolumeMount& mount(const Mount& mount) { return mount.impl_->mount; }
};

}  // namespace microsandbox
