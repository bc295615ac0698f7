#include "os/unix_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace msb::os {
namespace {

Result<sockaddr_un> address_of(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() > kMaxUnixSocketPath) {
    return err(ErrorKind::kInvalidArgument, "socket path '{}' is {} bytes (at most {})", path,
               path.size(), kMaxUnixSocketPath);
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  return address;
}

Result<Fd> new_socket(int flags) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
  if (fd < 0) return errno_error(errno, "socket");
  return Fd(fd);
}

}  // namespace

Result<Fd> listen_unix(const std::string& path, int backlog) {
  sockaddr_un address = MSB_TRY(address_of(path));
  Fd fd = MSB_TRY(new_socket(SOCK_NONBLOCK));
  // Only a socket may be replaced: anything else at the path is somebody's data.
  struct stat info {};
  if (::lstat(path.c_str(), &info) == 0) {
    if (!S_ISSOCK(info.st_mode)) return err(ErrorKind::kAlreadyExists, "{}: not a socket", path);
    if (::unlink(path.c_str()) != 0) return errno_error(errno, "unlink " + path);
  }
  // Created 0600 from the start: the socket gives full control of the sandbox.
  mode_t previous = ::umask(0177);
  int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
  int saved = errno;
  ::umask(previous);
  if (rc != 0) return errno_error(saved, "bind " + path);
  if (::listen(fd.get(), backlog) != 0) return errno_error(errno, "listen " + path);
  return fd;
}

Result<Fd> accept_unix(int listen_fd) {
  for (;;) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) return Fd(fd);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == ECONNABORTED) return Fd();
    return errno_error(errno, "accept");
  }
}

Result<Fd> connect_unix(const std::string& path) {
  sockaddr_un address = MSB_TRY(address_of(path));
  Fd fd = MSB_TRY(new_socket(0));
  for (;;) {
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return fd;
    if (errno == EINTR) continue;
    if (errno == ENOENT || errno == ECONNREFUSED)
      return make_error(ErrorKind::kNotFound, "connect " + path + ": nobody listens there", errno);
    return errno_error(errno, "connect " + path);
  }
}

}  // namespace msb::os
