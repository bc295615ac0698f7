// microsandbox::Patch: a fluent value over a config::RootfsPatch.
#include "microsandbox/patch.h"
#include "sdk/patch_impl.h"

namespace microsandbox {
namespace {

using msb::config::RootfsPatch;
using Kind = RootfsPatch::Kind;

}  // namespace

Patch::Patch() : impl_(std::make_unique<Impl>()) {}

Patch Patch::text(std::string guest_path, std::string content) {
  Patch patch;
  patch.impl_->patch.kind = Kind::kText;
  patch.impl_->patch.path = std::move(guest_path);
  patch.impl_->patch.content = std::move(content);
  return patch;
}

Patch Patch::file(std::string guest_path, std::string bytes) {
  Patch patch = text(std::move(guest_path), std::move(bytes));
  patch.impl_->patch.kind = Kind::kFile;
  return patch;
}

Patch Patch::copy_file(std::string host_path, std::string guest_path) {
  Patch patch;
  patch.impl_->patch.kind = Kind::kCopyFile;
  patch.impl_->patch.source = std::move(host_path);
  patch.impl_->patch.path = std::move(guest_path);
  return patch;
}

Patch Patch::copy_dir(std::string host_path, std::string guest_path) {
  Patch patch = copy_file(std::move(host_path), std::move(guest_path));
  patch.impl_->patch.kind = Kind::kCopyDir;
  return patch;
}

Patch Patch::mkdir(std::string guest_path) {
  Patch patch;
  patch.impl_->patch.kind = Kind::kMkdir;
  patch.impl_->patch.path = std::move(guest_path);
  return patch;
}

Patch Patch::symlink(std::string target, std::string link_path) {
  Patch patch;
  patch.impl_->patch.kind = Kind::kSymlink;
  patch.impl_->patch.target = std::move(target);
  patch.impl_->patch.path = std::move(link_path);
  return patch;
}

Patch Patch::append(std::string guest_path, std::string content) {
  Patch patch = text(std::move(guest_path), std::move(content));
  patch.impl_->patch.kind = Kind::kAppend;
  return patch;
}

Patch Patch::remove(std::string guest_path) {
  Patch patch = mkdir(std::move(guest_path));
  patch.impl_->patch.kind = Kind::kRemove;
  return patch;
}

Patch::Patch(const Patch& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
Patch& Patch::operator=(const Patch& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}
Patch::Patch(Patch&&) noexcept = default;
Patch& Patch::operator=(Patch&&) noexcept = default;
Patch::~Patch() = default;

Patch& Patch::mode(uint32_t mode) {
  impl_->patch.mode = mode;
  return *this;
}

Patch& Patch::owner(uint32_t uid, uint32_t gid) {
  impl_->patch.uid = uid;
  impl_->patch.gid = gid;
  return *this;
}

Patch& Patch::replace(bool yes) {
  impl_->patch.replace = yes;
  return *this;
}

}  // namespace microsandbox
