// microsandbox::Mount: a fluent value over a config::VolumeMount.
#include "microsandbox/mount.h"
#include "sdk/mount_impl.h"

namespace microsandbox {

using msb::config::VolumeMount;

Mount::Mount() : impl_(std::make_unique<Impl>()) {}

Mount Mount::bind(std::string host_path) {
  Mount mount;
  mount.impl_->mount.kind = VolumeMount::Kind::kBind;
  mount.impl_->mount.source = std::move(host_path);
  return mount;
}

Mount Mount::named(std::string name) {
  Mount mount;
  mount.impl_->mount.kind = VolumeMount::Kind::kNamed;
  mount.impl_->mount.source = std::move(name);
  return mount;
}

Mount Mount::tmpfs(uint64_t size_mib) {
  Mount mount;
  mount.impl_->mount.kind = VolumeMount::Kind::kTmpfs;
  mount.impl_->mount.size_mib = size_mib;
  return mount;
}

Mount Mount::disk(std::string image_path) {
  Mount mount;
  mount.impl_->mount.kind = VolumeMount::Kind::kDisk;
  mount.impl_->mount.source = std::move(image_path);
  return mount;
}

Mount::Mount(const Mount& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
Mount& Mount::operator=(const Mount& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}
Mount::Mount(Mount&&) noexcept = default;
Mount& Mount::operator=(Mount&&) noexcept = default;
Mount::~Mount() = default;

Mount& Mount::readonly(bool yes) {
  impl_->mount.read_only = yes;
  return *this;
}

Mount& Mount::noexec(bool yes) {
  impl_->mount.noexec = yes;
  return *this;
}

Mount& Mount::format(std::string format) {
  impl_->mount.format = std::move(format);
  return *this;
}

Mount& Mount::fstype(std::string fstype) {
  impl_->mount.fstype = std::move(fstype);
  return *this;
}

}  // namespace microsandbox
