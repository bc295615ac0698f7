#include "server/server_token.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hex.h"
#include "os/file.h"
#include "os/file_status.h"
#include "os/fs_calls.h"
#include "os/io.h"
#include "os/random.h"

namespace msb::server {

namespace {

constexpr size_t kMinTokenLength = 32;

Result<std::string> make_token(const std::string& path) {
  std::string dir = path.substr(0, path.rfind('/'));
  if (!dir.empty()) {
    MSB_TRY(os::make_dirs(dir));
    MSB_TRY(os::chmod_at(AT_FDCWD, dir, 0700));  // only its owner lists the server's files
  }
  std::string token = hex_encode(MSB_TRY(os::random_bytes(32)));
  // O_EXCL: two servers starting at once make one token; the loser reads the winner's.
  Result<os::Fd> fd = os::open_file(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (!fd) {
    if (fd.error().sys_errno == EEXIST) return std::string();
    return tl::unexpected(fd.error());
  }
  MSB_TRY(os::write_all(fd->get(), token + "\n"));
  return token;
}

}  // namespace

Result<std::string> load_or_create_token(const std::string& path) {
  if (!os::path_exists(path)) {
    std::string made = MSB_TRY(make_token(path));
    if (!made.empty()) return made;
  }
  os::FileStatus status = MSB_TRY(os::lstat_path(path).context("token file {}", path));
  if (!S_ISREG(status.mode))
    return err(ErrorKind::kInvalidArgument, "token file {}: not a regular file", path);
  if (status.uid != ::geteuid())
    return err(ErrorKind::kPermissionDenied, "token file {}: owned by uid {}, not by this user",
               path, status.uid);
  if (status.mode & 077)
    return err(ErrorKind::kPermissionDenied,
               "token file {}: readable by others (mode {:o}); chmod 600 {}", path,
               status.mode & 0777, path);
  std::string token = MSB_TRY(os::read_regular_file(path, 4096).context("token file {}", path));
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.size() < kMinTokenLength || token.find_first_of(" \t\n\r") != std::string::npos)
    return err(ErrorKind::kInvalidArgument,
               "token file {}: must hold one token of at least {} characters", path,
               kMinTokenLength);
  return token;
}

bool bearer_matches(std::string_view authorization, std::string_view token) {
  constexpr std::string_view kPrefix = "Bearer ";
  if (authorization.size() != kPrefix.size() + token.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < kPrefix.size(); ++i) diff |= authorization[i] ^ kPrefix[i];
  for (size_t i = 0; i < token.size(); ++i) diff |= authorization[kPrefix.size() + i] ^ token[i];
  return diff == 0;
}

}  // namespace msb::server
