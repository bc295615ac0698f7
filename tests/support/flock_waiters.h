// How many flock(2) requests are blocked on the lock files in a directory, from
// /proc/locks: a test holding a lock can wait until its contenders really queue on it.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace msb::testing {

// Blocked FLOCK requests ("N: -> FLOCK ADVISORY WRITE <pid> <maj:min:inode> ...") on any
// file in `dir`. Inodes are compared; the device is not (one test directory).
inline int flock_waiters_in(const std::string& dir) {
  std::set<uint64_t> inodes;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    struct stat info {};
    if (::stat(entry.path().c_str(), &info) == 0) inodes.insert(info.st_ino);
  }
  std::ifstream locks("/proc/locks");
  int waiters = 0;
  for (std::string line; std::getline(locks, line);) {
    std::istringstream fields(line);
    std::string number, arrow, type, mode, access, pid, id;
    if (!(fields >> number >> arrow >> type >> mode >> access >> pid >> id)) continue;
    if (arrow != "->" || type != "FLOCK") continue;
    uint64_t inode = std::strtoull(id.substr(id.rfind(':') + 1).c_str(), nullptr, 10);
    if (inodes.count(inode)) ++waiters;
  }
  return waiters;
}

}  // namespace msb::testing
