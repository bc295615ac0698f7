#include "os/any_readable.h"

#include <sys/epoll.h>

#include <cerrno>

namespace msb::os {

Result<Fd> any_readable(std::span<const int> fds) {
  Fd set(::epoll_create1(EPOLL_CLOEXEC));
  if (!set) return errno_error(errno, "epoll_create1");
  for (int fd : fds) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (::epoll_ctl(set.get(), EPOLL_CTL_ADD, fd, &event) != 0)
      return errno_error(errno, "epoll_ctl");
  }
  return set;
}

}  // namespace msb::os
