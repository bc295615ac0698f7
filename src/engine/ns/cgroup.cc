#include "engine/ns/cgroup.h"

#include <fcntl.h>
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <span>
#include <thread>

#include "engine/ns/cgroup_driver.h"
#include "os/clock.h"
#include "os/file.h"
#include "os/fs_calls.h"
#include "os/io.h"
#include "os/process_handle.h"
#include "os/system.h"

namespace msb::engine::ns {
namespace {

constexpr uint64_t kRemoveTimeoutNs = 10'000'000'000;
// Pids opened as pidfds at once while killing, so that a huge cgroup cannot exhaust fds.
constexpr size_t kKillBatch = 256;

// Maps a failed file operation on cgroupfs to the kinds CgroupDir documents.
Error as_cgroup_error(Error error) {
  switch (error.sys_errno) {
    case EACCES:
    case EPERM:
    case EROFS:
      error.kind = ErrorKind::kPermissionDenied;
      break;
    case EEXIST:
      error.kind = ErrorKind::kAlreadyExists;
      break;
    case ENOENT:
    case ENODEV:
    case EOPNOTSUPP:
      error.kind = ErrorKind::kUnsupported;
      break;
    case ESRCH:
      error.kind = ErrorKind::kNotFound;
      break;
    default:
      error.kind = ErrorKind::kIo;
  }
  return error;
}

// Sleeps a little longer each round: processes usually die within a millisecond.
void back_off(int round) {
  std::this_thread::sleep_for(std::chrono::milliseconds(std::min(1 << std::min(round, 4), 10)));
}

// Every pid listed in cgroup.procs of any of `paths` (v1 lists per hierarchy), sorted.
Result<std::vector<int>> members(const std::vector<std::string>& paths) {
  std::vector<int> pids;
  for (const std::string& path : paths) {
    Result<std::string> text = cgroup_read(path + "/cgroup.procs");
    if (!text && text.error().sys_errno == ENOENT) continue;  // removed already
    if (!text) return tl::unexpected(std::move(text).error());
    for (int pid : parse_cgroup_procs(*text)) pids.push_back(pid);
  }
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  return pids;
}

// SECURITY: a pid read from cgroup.procs may belong to a process that has exited since,
// and the pid may be reused by a process outside the sandbox. So each pid is first
// pinned by a pidfd, the list is read again, and only pinned processes still listed
// are killed.
Result<void> kill_listed(const std::vector<std::string>& paths, std::span<const int> pids) {
  std::vector<os::ProcessHandle> pinned;
  for (int pid : pids) {
    std::optional<os::ProcessHandle> handle = MSB_TRY(os::ProcessHandle::open(pid, 0));
    if (handle) pinned.push_back(std::move(*handle));
  }
  std::vector<int> still_inside = MSB_TRY(members(paths));
  for (os::ProcessHandle& handle : pinned) {
    if (std::binary_search(still_inside.begin(), still_inside.end(), handle.pid())) {
      MSB_TRY(handle.signal(SIGKILL));
    }
  }
  return {};
}

}  // namespace

std::string cgroup_root() {
  const char* root = std::getenv("MSB_CGROUP_ROOT");
  return root && *root ? root : "/sys/fs/cgroup";
}

Result<const CgroupDriver*> detect_cgroup_driver(const std::string& root) {
  if (os::is_regular_file(root + "/cgroup.controllers")) return &cgroup_v2_driver();
  if (os::is_directory(root + "/memory")) return &cgroup_v1_driver();
  return err(ErrorKind::kUnsupported,
             "no cgroup filesystem at {} (neither {}/cgroup.controllers nor {}/memory)", root, root,
             root);
}

Result<void> validate_cgroup_name(std::string_view name) {
  auto allowed = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  };
  if (name.empty() || name.size() > 255 || name.front() == '.' ||
      !std::all_of(name.begin(), name.end(), allowed)) {
    return err(ErrorKind::kInvalidArgument,
               "invalid cgroup name \"{}\": use 1-255 of [A-Za-z0-9._-], not starting with '.'",
               name);
  }
  return {};
}

std::string cgroup_cpu_max(uint32_t cpus) {
  return std::to_string(uint64_t{cpus} * kCgroupCpuPeriodUs) + " " +
         std::to_string(kCgroupCpuPeriodUs);
}

std::optional<uint64_t> parse_cgroup_counter(std::string_view text, std::string_view key) {
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ' ') {
      continue;
    }
    std::string_view number = line.substr(key.size() + 1);
    uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || ptr != number.data() + number.size()) return std::nullopt;
    return value;
  }
  return std::nullopt;
}

std::vector<int> parse_cgroup_procs(std::string_view text) {
  std::vector<int> pids;
  const char* cursor = text.data();
  const char* end = text.data() + text.size();
  while (cursor < end) {
    int pid = 0;
    auto [ptr, ec] = std::from_chars(cursor, end, pid);
    if (ec == std::errc() && pid > 0) pids.push_back(pid);
    cursor = std::find(ptr, end, '\n');
    if (cursor < end) ++cursor;
  }
  return pids;
}

Result<void> cgroup_make_dir(const std::string& path, bool exclusive) {
  Result<void> made = exclusive ? os::make_dir_at(AT_FDCWD, path, 0755) : os::make_dir(path, 0755);
  if (!made) return tl::unexpected(as_cgroup_error(std::move(made).error()));
  return {};
}

Result<void> cgroup_write(const std::string& path, std::string_view value) {
  // No O_CREAT: a missing control file means a missing controller, not a file to make.
  Result<void> written = [&]() -> Result<void> {
    os::Fd fd = MSB_TRY(os::open_file(path, O_WRONLY));
    return std::move(os::write_all(fd.get(), value)).context("write {} to {}", value, path);
  }();
  if (!written) return tl::unexpected(as_cgroup_error(std::move(written).error()));
  return {};
}

Result<std::string> cgroup_read(const std::string& path) {
  Result<std::string> text = os::read_file(path);
  if (!text) return tl::unexpected(as_cgroup_error(std::move(text).error()));
  return text;
}

Result<CgroupDir> CgroupDir::create(std::string_view name, const CgroupLimits& limits) {
  MSB_TRY(validate_cgroup_name(name));
  std::string root = cgroup_root();
  const CgroupDriver* driver = MSB_TRY(detect_cgroup_driver(root));
  MSB_TRY(driver->prepare(root));
  // From the first mkdir on, `dir` owns what exists: an error below removes it again.
  CgroupDir dir(*driver);
  for (const std::string& leaf : driver->leaf_paths(root, name)) {
    MSB_TRY(cgroup_make_dir(leaf, /*exclusive=*/true));
    dir.paths_.push_back(leaf);
  }
  MSB_TRY(dir.apply_limits(limits));
  return dir;
}

CgroupDir::CgroupDir(CgroupDir&& other) noexcept
    : driver_(other.driver_), paths_(std::exchange(other.paths_, {})) {}

CgroupDir& CgroupDir::operator=(CgroupDir&& other) noexcept {
  if (this != &other) {
    (void)remove();
    driver_ = other.driver_;
    paths_ = std::exchange(other.paths_, {});
  }
  return *this;
}

CgroupDir::~CgroupDir() { (void)remove(); }

bool CgroupDir::is_v2() const { return driver_->is_v2(); }

Result<void> CgroupDir::apply_limits(const CgroupLimits& limits) {
  for (const CgroupWrite& write : driver_->limit_writes(paths_, limits)) {
    if (write.only_if_present && !os::path_exists(write.path)) continue;
    MSB_TRY(cgroup_write(write.path, write.value));
  }
  return {};
}

Result<void> CgroupDir::add_process(int pid) {
  if (paths_.empty()) return err(ErrorKind::kNotFound, "add pid {}: cgroup removed", pid);
  for (const std::string& path : paths_) {
    MSB_TRY(cgroup_write(path + "/cgroup.procs", std::to_string(pid)));
  }
  return {};
}

Result<std::optional<os::Fd>> CgroupDir::open_for_clone() const {
  if (!is_v2()) return std::optional<os::Fd>();
  if (paths_.empty()) return err(ErrorKind::kNotFound, "cgroup removed");
  return std::optional<os::Fd>(
      MSB_TRY(std::move(os::open_file(paths_.front(), O_RDONLY | O_DIRECTORY))
                  .context("open cgroup {}", paths_.front())));
}

Result<void> CgroupDir::remove() {
  if (paths_.empty()) return {};
  MSB_TRY(kill_members());
  MSB_TRY(remove_directories());
  paths_.clear();
  return {};
}

Result<void> CgroupDir::kill_members() {
  bool kernel_kills = MSB_TRY(driver_->kill_all(paths_));
  uint64_t deadline = os::monotonic_ns() + kRemoveTimeoutNs;
  for (int round = 0;; ++round) {
    std::vector<int> pids = MSB_TRY(members(paths_));
    if (pids.empty()) return {};
    if (os::monotonic_ns() > deadline) {
      return err(ErrorKind::kTimeout, "cgroup {}: {} processes still inside after 10 s",
                 paths_.front(), pids.size());
    }
    // Repeated each round: a process may fork while the previous batch is being killed.
    for (size_t start = 0; !kernel_kills && start < pids.size(); start += kKillBatch) {
      size_t count = std::min(kKillBatch, pids.size() - start);
      MSB_TRY(kill_listed(paths_, std::span(pids).subspan(start, count)));
    }
    back_off(round);
  }
}

Result<void> CgroupDir::remove_directories() {
  uint64_t deadline = os::monotonic_ns() + kRemoveTimeoutNs;
  // Reverse creation order; the shared "msb" parents stay.
  for (auto path = paths_.rbegin(); path != paths_.rend(); ++path) {
    for (int round = 0;; ++round) {
      Result<void> removed = os::unlink_at(AT_FDCWD, *path, /*directory=*/true);
      if (removed || removed.error().sys_errno == ENOENT) break;
      if (removed.error().sys_errno != EBUSY) {
        return tl::unexpected(as_cgroup_error(std::move(removed).error()));
      }
      // EBUSY: the last processes are still leaving (their exit is not complete yet).
      if (os::monotonic_ns() > deadline) {
        return err(ErrorKind::kTimeout, "rmdir {}: still busy after 10 s", *path);
      }
      back_off(round);
    }
  }
  return {};
}

Result<uint64_t> CgroupDir::oom_kills() const {
  if (paths_.empty()) return err(ErrorKind::kNotFound, "oom_kills: cgroup removed");
  std::string path = driver_->oom_counter_path(paths_);
  std::string text = MSB_TRY(cgroup_read(path));
  std::optional<uint64_t> count = parse_cgroup_counter(text, "oom_kill");
  if (!count) return err(ErrorKind::kUnsupported, "{} has no oom_kill counter", path);
  return *count;
}

}  // namespace msb::engine::ns
