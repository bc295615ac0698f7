#include "os/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>

#include "os/io.h"

namespace msb::os {

Result<Fd> open_file(const std::string& path, int flags, int mode) {
  for (;;) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    if (fd >= 0) return Fd(fd);
    if (errno != EINTR) return errno_error(errno, "open " + path);
  }
}

Result<std::string> read_file(const std::string& path) {
  Fd fd = MSB_TRY(open_file(path, O_RDONLY));
  return std::move(read_to_end(fd.get())).context("read {}", path);
}

Result<void> write_file(const std::string& path, std::string_view data, int mode) {
  Fd fd = MSB_TRY(open_file(path, O_WRONLY | O_CREAT | O_TRUNC, mode));
  return std::move(write_all(fd.get(), data)).context("write {}", path);
}

Result<void> write_file_atomic(const std::string& path, std::string_view data, int mode,
                               Durability durability) {
  bool durable = durability == Durability::kPowerLoss;
  // O_TMPFILE-free so that it works on every filesystem: a unique sibling name, fsync,
  // rename, then fsync of the directory so that the rename itself survives a crash.
  std::string temp = temp_sibling_name(path);
  Result<void> written = [&]() -> Result<void> {
    Fd fd = MSB_TRY(open_file(temp, O_WRONLY | O_CREAT | O_EXCL, mode));
    MSB_TRY(std::move(write_all(fd.get(), data)).context("write {}", temp));
    if (durable && ::fsync(fd.get()) != 0) return errno_error(errno, "fsync " + temp);
    return {};
  }();
  if (!written) {
    ::unlink(temp.c_str());
    return written;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int saved = errno;
    ::unlink(temp.c_str());
    return errno_error(saved, "rename " + temp + " to " + path);
  }
  if (!durable) return {};
  std::string dir = std::filesystem::path(path).parent_path().string();
  Result<Fd> dir_fd = open_file(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY);
  if (dir_fd) ::fsync(dir_fd->get());
  return {};
}

std::string temp_sibling_name(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

Result<void> make_dirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return errno_error(ec.value(), "mkdir " + path);
  return {};
}

Result<void> remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_error(errno, "remove " + path);
  return {};
}

Result<void> remove_tree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return errno_error(ec.value(), "remove " + path);
  return {};
}

std::vector<std::string> list_dir(const std::string& path) {
  std::vector<std::string> names;
  DIR* dir = ::opendir(path.c_str());
  if (!dir) return names;
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') names.emplace_back(entry->d_name);
  }
  ::closedir(dir);
  return names;
}

bool path_exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

std::optional<int64_t> seconds_since_modified(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<int64_t>(::time(nullptr)) - static_cast<int64_t>(st.st_mtime);
}

bool is_regular_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<void> create_sparse_file(const std::string& path, uint64_t size) {
  Fd fd = MSB_TRY(open_file(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
  if (::ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
    return errno_error(errno, "truncate " + path);
  }
  return {};
}

Result<void> set_file_size(const std::string& path, uint64_t size) {
  Fd fd = MSB_TRY(open_file(path, O_WRONLY));
  if (::ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
    return errno_error(errno, "truncate " + path);
  }
  return {};
}

Result<TempDir> TempDir::create(const std::string& prefix, const std::string& parent) {
  std::string base = parent;
  if (base.empty()) {
    const char* tmp = ::getenv("TMPDIR");
    base = tmp && *tmp ? tmp : "/tmp";
  }
  std::string pattern = base + "/" + prefix + "XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return errno_error(errno, "mkdtemp " + pattern);
  return TempDir(std::move(pattern));
}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    if (!path_.empty()) (void)remove_tree(path_);
    path_ = std::exchange(other.path_, std::string());
  }
  return *this;
}

TempDir::~TempDir() {
  if (!path_.empty()) (void)remove_tree(path_);
}

}  // namespace msb::os
