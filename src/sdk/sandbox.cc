// The public Sandbox handle: lifecycle calls over sdk/lifecycle.h, info and logs.
#include <unistd.h>

#include "common/paths.h"
#include "os/io.h"
#include "sdk/log_reader.h"
#include "sdk/root_disk_grow.h"
#include "sdk/sandbox_impl.h"
#include "sdk/sandbox_list.h"
#include "sdk/time_points.h"

namespace msb::sdk {

microsandbox::Sandbox make_sandbox(StartedSandbox started, bool owns_lifecycle) {
  auto impl = std::make_unique<microsandbox::Sandbox::Impl>();
  impl->name = std::move(started.name);
  impl->owner = owns_lifecycle;
  impl->watchdog = std::move(started.watchdog);
  return microsandbox::SandboxAccess::make(std::move(impl));
}

}  // namespace msb::sdk

namespace microsandbox {

using msb::sdk::from_ns;
namespace {

using msb::sdk::value_or_throw;

constexpr char kDetachByte = 'D';

int64_t to_ns(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

SandboxInfo info_of(const msb::store::SandboxRecord& record) {
  SandboxInfo info;
  info.name = record.name;
  info.status = static_cast<SandboxStatus>(record.status);
  info.ephemeral = record.ephemeral;
  info.labels = record.labels;
  info.created_at = from_ns(record.created_at_ns);
  info.updated_at = from_ns(record.updated_at_ns);
  info.last_error = record.last_error;
  info.config_json = record.config_json;
  msb::Result<msb::config::SandboxConfig> config =
      msb::config::config_from_json(record.config_json);
  if (config) {
    info.image = config->image;
    info.cpus = config->cpus;
    info.memory_mib = config->memory_mib;
    info.isolation = config->isolation;
  }
  return info;
}

}  // namespace

std::string agent_socket(const Sandbox::Impl& impl) {
  return msb::sandbox_paths(msb::msb_home(), impl.name).agent_socket;
}

const msb::config::SandboxConfig& sandbox_config(Sandbox::Impl& impl) {
  if (!impl.config) impl.config = value_or_throw(msb::sdk::sandbox_config(impl.name));
  return *impl.config;
}

const char* status_name(SandboxStatus status) {
  return msb::store::sandbox_status_name(static_cast<msb::store::SandboxStatus>(status)).data();
}

const char* log_source_name(LogSource source) {
  // The same enumerators in the same order (the reader's entries are cast the same way).
  return msb::sdk::log_source_name(static_cast<msb::sdk::LogSource>(source)).data();
}

SandboxBuilder Sandbox::builder(std::string name) { return SandboxBuilder(std::move(name)); }

Sandbox Sandbox::start(const std::string& name) {
  return msb::sdk::make_sandbox(value_or_throw(msb::sdk::start_sandbox(name, false)), true);
}

Sandbox Sandbox::start_detached(const std::string& name) {
  return msb::sdk::make_sandbox(value_or_throw(msb::sdk::start_sandbox(name, true)), false);
}

Sandbox Sandbox::connect(const std::string& name) {
  msb::store::SandboxRecord record = value_or_throw(msb::sdk::get_sandbox(name));
  auto impl = std::make_unique<Impl>();
  impl->name = record.name;
  return Sandbox(std::move(impl));
}

SandboxInfo Sandbox::get(const std::string& name) {
  return info_of(value_or_throw(msb::sdk::get_sandbox(name)));
}

std::vector<SandboxInfo> Sandbox::list(const std::map<std::string, std::string>& labels) {
  return list_page(SandboxListOptions{.labels = labels}).sandboxes;
}

static_assert(SandboxListOptions::kDefaultLimit == msb::sdk::kDefaultListLimit);
static_assert(SandboxListOptions::kMaxLimit == msb::sdk::kMaxListLimit);

SandboxPage Sandbox::list_page(const SandboxListOptions& options) {
  msb::sdk::SandboxRecordPage records =
      value_or_throw(msb::sdk::list_sandbox_page(options.labels, options.limit, options.cursor));
  SandboxPage page;
  for (const msb::store::SandboxRecord& record : records.records)
    page.sandboxes.push_back(info_of(record));
  page.next_cursor = std::move(records.next_cursor);
  return page;
}

void Sandbox::remove(const std::string& name) {
  value_or_throw(msb::sdk::remove_sandbox(name, false));
}

void Sandbox::grow_root_disk(const std::string& name, uint64_t size_bytes) {
  value_or_throw(msb::sdk::grow_root_disk(name, size_bytes));
}

Sandbox::Sandbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Sandbox::Sandbox(Sandbox&&) noexcept = default;
Sandbox& Sandbox::operator=(Sandbox&&) noexcept = default;
Sandbox::~Sandbox() = default;

const std::string& Sandbox::name() const { return impl_->name; }

void Sandbox::stop() { value_or_throw(msb::sdk::request_stop_async(impl_->name)); }

void Sandbox::stop_and_wait(std::chrono::milliseconds timeout) {
  value_or_throw(msb::sdk::stop_sandbox(impl_->name, timeout));
}

void Sandbox::kill() { value_or_throw(msb::sdk::kill_sandbox(impl_->name)); }

void Sandbox::drain() { value_or_throw(msb::sdk::drain_sandbox(impl_->name)); }

SandboxInfo Sandbox::wait() {
  if (!impl_->owner)
    throw Error(ErrorKind::kInvalidArgument,
                "cannot wait: not the lifecycle owner of sandbox '" + impl_->name +
                    "' (connected to, made detached, or detached); poll Sandbox::get() instead");
  return info_of(value_or_throw(msb::sdk::wait_sandbox(impl_->name, std::nullopt)));
}

void Sandbox::detach() {
  if (!impl_->owner) return;
  if (impl_->watchdog) {
    (void)msb::os::write_all(impl_->watchdog.get(), std::string_view(&kDetachByte, 1));
    impl_->watchdog.reset();
  }
  impl_->owner = false;
}

bool Sandbox::owns_lifecycle() const { return impl_->owner; }

SandboxStatus Sandbox::status() const { return get(impl_->name).status; }

std::string Sandbox::last_error() const { return get(impl_->name).last_error; }

std::vector<LogEntry> Sandbox::logs(const LogOptions& options) const {
  msb::sdk::LogQuery query;
  query.tail = options.tail;
  if (options.since) query.since_ns = to_ns(*options.since);
  if (options.until) query.until_ns = to_ns(*options.until);
  for (LogSource source : options.sources)
    query.sources.push_back(static_cast<msb::sdk::LogSource>(source));
  std::string logs_dir = msb::sandbox_paths(msb::msb_home(), impl_->name).logs;
  std::vector<LogEntry> entries;
  for (msb::sdk::LogLine& line : value_or_throw(msb::sdk::read_logs(logs_dir, query))) {
    entries.push_back({from_ns(line.time_ns), static_cast<LogSource>(line.source),
                       std::move(line.stream), line.session, std::move(line.text)});
  }
  return entries;
}

void Sandbox::remove_persisted() {
  value_or_throw(msb::sdk::remove_sandbox(impl_->name, false));
  impl_->watchdog.reset();
  impl_->owner = false;
}

}  // namespace microsandbox
