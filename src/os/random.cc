#include "os/random.h"

#include <sys/random.h>

#include <cerrno>

namespace msb::os {

Result<std::string> random_bytes(size_t count) {
  std::string out(count, '\0');
  size_t filled = 0;
  while (filled < count) {
    ssize_t got = ::getrandom(out.data() + filled, count - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return errno_error(errno, "getrandom");
    }
    filled += static_cast<size_t>(got);
  }
  return out;
}

}  // namespace msb::os
