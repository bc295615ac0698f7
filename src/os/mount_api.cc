#include "os/mount_api.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mount.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace msb::os {

Result<Fd> clone_mount_tree(const std::string& path) {
  int fd = ::open_tree(AT_FDCWD, path.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (fd < 0) return errno_error(errno, "open_tree " + path);
  return Fd(fd);
}

Result<void> idmap_mount(int mount_fd, int userns_fd, bool read_only) {
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_IDMAP | (read_only ? MOUNT_ATTR_RDONLY : 0);
  attr.userns_fd = static_cast<uint64_t>(userns_fd);
  if (::mount_setattr(mount_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0) {
    int saved = errno;
    Error error = errno_error(saved, "idmapped mount").value();
    if (saved == EINVAL || saved == EOPNOTSUPP) {
      error.kind = ErrorKind::kUnsupported;
      error.message += " (the filesystem or kernel does not support idmapped mounts)";
    }
    return tl::unexpected(error);
  }
  return {};
}

Result<Fd> clone_single_mount(const std::string& path) {
  int fd = ::open_tree(AT_FDCWD, path.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (fd < 0) return errno_error(errno, "open_tree " + path);
  return Fd(fd);
}

Result<void> set_mount_attributes(int mount_fd, const MountAttributes& attributes) {
  mount_attr attr{};
  if (attributes.read_only) attr.attr_set |= MOUNT_ATTR_RDONLY;
  if (attributes.noexec) attr.attr_set |= MOUNT_ATTR_NOEXEC;
  if (attributes.nosuid) attr.attr_set |= MOUNT_ATTR_NOSUID;
  if (attributes.nodev) attr.attr_set |= MOUNT_ATTR_NODEV;
  if (attributes.idmap_userns_fd >= 0) {
    attr.attr_set |= MOUNT_ATTR_IDMAP;
    attr.userns_fd = static_cast<uint64_t>(attributes.idmap_userns_fd);
  }
  if (::mount_setattr(mount_fd, "", AT_EMPTY_PATH, &attr, sizeof attr) != 0) {
    int saved = errno;
    Error error = errno_error(saved, "mount_setattr").value();
    if (attributes.idmap_userns_fd >= 0 && (saved == EINVAL || saved == EOPNOTSUPP)) {
      error.kind = ErrorKind::kUnsupported;
      error.message += " (the filesystem or kernel does not support idmapped mounts)";
    }
    return tl::unexpected(error);
  }
  return {};
}

namespace {

Result<void> set_string(int fs_fd, const char* key, const std::string& value) {
  if (::fsconfig(fs_fd, FSCONFIG_SET_STRING, key, value.c_str(), 0) != 0)
    return errno_error(errno, std::string("mount option ") + key + "=" + value);
  return {};
}

}  // namespace

Result<Fd> make_tmpfs_mount(uint64_t size_bytes, uint32_t mode, uint32_t uid, uint32_t gid) {
  int raw = ::fsopen("tmpfs", FSOPEN_CLOEXEC);
  if (raw < 0) return errno_error(errno, "fsopen tmpfs");
  Fd fs(raw);
  if (size_bytes != 0) MSB_TRY(set_string(fs.get(), "size", std::to_string(size_bytes)));
  MSB_TRY(set_string(fs.get(), "mode", fmt::format("{:o}", mode)));
  MSB_TRY(set_string(fs.get(), "uid", std::to_string(uid)));
  MSB_TRY(set_string(fs.get(), "gid", std::to_string(gid)));
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    return errno_error(errno, "create tmpfs");
  int mount_fd = ::fsmount(fs.get(), FSMOUNT_CLOEXEC, 0);
  if (mount_fd < 0) return errno_error(errno, "fsmount tmpfs");
  return Fd(mount_fd);
}

Result<Fd> make_block_mount(const std::string& device, const std::string& fstype, bool read_only) {
  int raw = ::fsopen(fstype.c_str(), FSOPEN_CLOEXEC);
  if (raw < 0) return errno_error(errno, "fsopen " + fstype);
  Fd fs(raw);
  MSB_TRY(set_string(fs.get(), "source", device));
  if (read_only && ::fsconfig(fs.get(), FSCONFIG_SET_FLAG, "ro", nullptr, 0) != 0)
    return errno_error(errno, "fsconfig ro");
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    return errno_error(errno, fmt::format("mount {} ({})", device, fstype));
  int mount_fd = ::fsmount(fs.get(), FSMOUNT_CLOEXEC, 0);
  if (mount_fd < 0) return errno_error(errno, "fsmount " + device);
  return Fd(mount_fd);
}

Result<Fd> make_overlay_mount(const std::vector<std::string>& lower, const std::string& upper,
                              const std::string& work, UpperDurability durability) {
  int raw = ::fsopen("overlay", FSOPEN_CLOEXEC);
  if (raw < 0) return errno_error(errno, "fsopen overlay");
  Fd fs(raw);
  std::string lowerdir;
  for (const std::string& dir : lower) lowerdir += (lowerdir.empty() ? "" : ":") + dir;
  MSB_TRY(set_string(fs.get(), "lowerdir", lowerdir));
  if (!upper.empty()) {
    MSB_TRY(set_string(fs.get(), "upperdir", upper));
    MSB_TRY(set_string(fs.get(), "workdir", work));
    // Unmounting a synced overlay syncs the whole upper filesystem and waits for it; on a
    // disk that takes milliseconds, and every block freed afterwards (deleting the layer)
    // is a committed one, slower again (docs/design/startup.md). Kernels before 5.10 do
    // not know the flag (EINVAL): they get the synced overlay.
    if (durability == UpperDurability::kVolatile &&
        ::fsconfig(fs.get(), FSCONFIG_SET_FLAG, "volatile", nullptr, 0) != 0 && errno != EINVAL)
      return errno_error(errno, "overlay option volatile");
  }
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    return errno_error(errno, "create overlay (lower " + lowerdir + ", upper " + upper + ")");
  int mount_fd = ::fsmount(fs.get(), FSMOUNT_CLOEXEC, 0);
  if (mount_fd < 0) return errno_error(errno, "fsmount overlay");
  return Fd(mount_fd);
}

Result<void> send_fd(int socket_fd, int fd, char byte) {
  iovec io{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  cmsghdr* header = CMSG_FIRSTHDR(&message);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(header), &fd, sizeof fd);
  ssize_t sent;
  do {
    sent = ::sendmsg(socket_fd, &message, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent != 1) return errno_error(errno, "send a descriptor");
  return {};
}

}  // namespace msb::os
