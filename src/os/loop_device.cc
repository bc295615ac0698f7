#include "os/loop_device.h"

#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

#include "os/file.h"
#include "os/mount_api.h"

namespace msb::os {

Result<LoopDevice> attach_loop_device(const std::string& file, bool read_only) {
  Fd backing = MSB_TRY(open_file(file, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC));
  Fd control = MSB_TRY(open_file("/dev/loop-control", O_RDWR | O_CLOEXEC));
  // Another process may configure the free device between our two calls (EBUSY): try again.
  for (int attempt = 0; attempt < 16; ++attempt) {
    int number = ::ioctl(control.get(), LOOP_CTL_GET_FREE);
    if (number < 0) return errno_error(errno, "find a free loop device");
    std::string path = "/dev/loop" + std::to_string(number);
    Fd device = MSB_TRY(open_file(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC));
    loop_config config;
    std::memset(&config, 0, sizeof(config));
    config.fd = static_cast<uint32_t>(backing.get());
    config.info.lo_flags = LO_FLAGS_AUTOCLEAR | (read_only ? LO_FLAGS_READ_ONLY : 0);
    std::strncpy(reinterpret_cast<char*>(config.info.lo_file_name), file.c_str(), LO_NAME_SIZE - 1);
    if (::ioctl(device.get(), LOOP_CONFIGURE, &config) == 0)
      return LoopDevice{std::move(device), std::move(path)};
    if (errno != EBUSY) return errno_error(errno, fmt::format("attach {} to {}", file, path));
  }
  return err(ErrorKind::kTimeout, "attach {}: every free loop device was taken first", file);
}

Result<Fd> make_image_mount(const std::string& image, const std::string& fstype, bool read_only) {
  LoopDevice loop = MSB_TRY(attach_loop_device(image, read_only));
  return make_block_mount(loop.path, fstype, read_only);
}

}  // namespace msb::os
