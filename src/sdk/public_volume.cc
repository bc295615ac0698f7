// microsandbox::Volume: the public face of sdk/volumes.
#include "microsandbox/volume.h"
#include "sdk/throw_error.h"
#include "sdk/time_points.h"
#include "sdk/volumes.h"

namespace microsandbox {

struct Volume::Impl {
  VolumeInfo info;
};

namespace {

using msb::sdk::value_or_throw;

VolumeKind public_kind(msb::store::VolumeKind kind) {
  return kind == msb::store::VolumeKind::kDisk ? VolumeKind::kDisk : VolumeKind::kDir;
}

msb::store::VolumeKind store_kind(VolumeKind kind) {
  return kind == VolumeKind::kDisk ? msb::store::VolumeKind::kDisk : msb::store::VolumeKind::kDir;
}

VolumeInfo info_of(msb::sdk::VolumeView view) {
  msb::store::VolumeRecord& record = view.record;
  return VolumeInfo{.name = std::move(record.name),
                    .kind = public_kind(record.kind),
                    .path = std::move(record.path),
                    .quota_mib = record.quota_mib,
                    .size_bytes = record.size_bytes,
                    .created_at = msb::sdk::from_ns(record.created_at_ns),
                    .labels = std::move(record.labels),
                    .used_by = std::move(view.used_by)};
}

}  // namespace

const char* volume_kind_name(VolumeKind kind) { return kind == VolumeKind::kDisk ? "disk" : "dir"; }

Volume Volume::create(std::string name, const VolumeOptions& options) {
  msb::runtime::NewNamedVolume volume{.name = std::move(name),
                                      .kind = store_kind(options.kind),
                                      .size_bytes = options.size_bytes,
                                      .quota_mib = options.quota_mib,
                                      .labels = options.labels};
  VolumeInfo info = info_of(value_or_throw(msb::sdk::create_volume(volume)));
  return Volume(std::make_unique<Impl>(Impl{std::move(info)}));
}

Volume Volume::get(const std::string& name) {
  VolumeInfo info = info_of(value_or_throw(msb::sdk::get_volume(name)));
  return Volume(std::make_unique<Impl>(Impl{std::move(info)}));
}

std::vector<VolumeInfo> Volume::list() {
  std::vector<msb::sdk::VolumeView> views = value_or_throw(msb::sdk::list_volumes());
  std::vector<VolumeInfo> infos;
  infos.reserve(views.size());
  for (msb::sdk::VolumeView& view : views) infos.push_back(info_of(std::move(view)));
  return infos;
}

void Volume::remove(const std::string& name, bool force) {
  value_or_throw(msb::sdk::remove_volume(name, force));
}

Volume::Volume(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Volume::Volume(const Volume& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
Volume& Volume::operator=(const Volume& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}
Volume::Volume(Volume&&) noexcept = default;
Volume& Volume::operator=(Volume&&) noexcept = default;
Volume::~Volume() = default;

const std::string& Volume::name() const { return impl_->info.name; }
VolumeKind Volume::kind() const { return impl_->info.kind; }
const std::string& Volume::path() const { return impl_->info.path; }
std::chrono::system_clock::time_point Volume::created_at() const { return impl_->info.created_at; }
const std::map<std::string, std::string>& Volume::labels() const { return impl_->info.labels; }
const std::vector<std::string>& Volume::used_by() const { return impl_->info.used_by; }
const VolumeInfo& Volume::info() const { return impl_->info; }

}  // namespace microsandbox
