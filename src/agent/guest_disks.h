// The guest's virtio-blk disks, found by the serial the host gave each (not by probe
// order): the root image, the upper disk, and disk volumes.
#pragma once

#include <map>
#include <string>

#include "common/error.h"

namespace msb::agent {

// serial -> "/dev/vdX", read from /sys/block once.
std::map<std::string, std::string> disks_by_serial();

// The device of `serial`. Errors: kNotFound "no disk with serial '<serial>'".
Result<std::string> find_disk(const std::map<std::string, std::string>& disks,
                              const std::string& serial);

}  // namespace msb::agent
