// microsandbox::Snapshot: the public face of sdk/snapshots.
#include "microsandbox/snapshot.h"
#include "sdk/snapshots.h"
#include "sdk/throw_error.h"
#include "sdk/time_points.h"

namespace microsandbox {

struct Snapshot::Impl {
  SnapshotInfo info;
};

namespace {

using msb::sdk::value_or_throw;

SnapshotInfo info_of(msb::store::SnapshotRecord record) {
  return SnapshotInfo{.name = std::move(record.name),
                      .source_sandbox = std::move(record.source_sandbox),
                      .engine = std::move(record.engine),
                      .image = std::move(record.image_reference),
                      .manifest_digest = std::move(record.manifest_digest),
                      .digest = std::move(record.content_digest),
                      .size_bytes = record.size_bytes,
                      .path = std::move(record.path),
                      .created_at = msb::sdk::from_ns(record.created_at_ns)};
}

}  // namespace

Snapshot Snapshot::create(const std::string& name, const std::string& from_sandbox) {
  SnapshotInfo info = info_of(value_or_throw(msb::sdk::create_snapshot(name, from_sandbox)));
  return Snapshot(std::make_unique<Impl>(Impl{std::move(info)}));
}

Snapshot Snapshot::get(const std::string& name) {
  SnapshotInfo info = info_of(value_or_throw(msb::sdk::get_snapshot(name)));
  return Snapshot(std::make_unique<Impl>(Impl{std::move(info)}));
}

std::vector<SnapshotInfo> Snapshot::list() {
  std::vector<SnapshotInfo> infos;
  for (msb::store::SnapshotRecord& record : value_or_throw(msb::sdk::list_snapshots()))
    infos.push_back(info_of(std::move(record)));
  return infos;
}

void Snapshot::remove(const std::string& name) { value_or_throw(msb::sdk::remove_snapshot(name)); }

Snapshot Snapshot::load(const std::string& archive) {
  SnapshotInfo info = info_of(value_or_throw(msb::sdk::load_snapshot(archive)));
  return Snapshot(std::make_unique<Impl>(Impl{std::move(info)}));
}

SnapshotVerification Snapshot::verify() const {
  msb::runtime::SnapshotCheck check = value_or_throw(msb::sdk::verify_snapshot(impl_->info.name));
  return SnapshotVerification{std::move(check.expected), std::move(check.actual)};
}

void Snapshot::save(const std::string& out, bool with_image) const {
  value_or_throw(msb::sdk::save_snapshot(impl_->info.name, out, with_image));
}

Snapshot::Snapshot(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Snapshot::Snapshot(const Snapshot& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
Snapshot& Snapshot::operator=(const Snapshot& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}
Snapshot::Snapshot(Snapshot&&) noexcept = default;
Snapshot& Snapshot::operator=(Snapshot&&) noexcept = default;
Snapshot::~Snapshot() = default;

const std::string& Snapshot::name() const { return impl_->info.name; }
const SnapshotInfo& Snapshot::info() const { return impl_->info; }

}  // namespace microsandbox
