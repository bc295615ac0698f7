#include <fcntl.h>

#include "engine/vm/accel.h"
#include "os/file.h"

namespace msb::engine::vm {

AccelProbe probe_kvm() {
  if (!os::open_file("/dev/kvm", O_RDWR)) return {false, "/dev/kvm cannot be opened"};
  if (os::path_exists("/sys/module/kvm_intel") || os::path_exists("/sys/module/kvm_amd")) {
    return {true, "/dev/kvm with kvm_intel/kvm_amd"};
  }
  Result<std::string> cpuinfo = os::read_file("/proc/cpuinfo");
  if (cpuinfo &&
      (cpuinfo->find(" vmx") != std::string::npos || cpuinfo->find(" svm") != std::string::npos)) {
    return {true, "/dev/kvm with vmx/svm cpu flags"};
  }
  if (os::path_exists("/sys/module/kvm_pvm")) {
    return {false, "/dev/kvm is a paravirtual hypervisor (kvm_pvm) that cannot run a stock kernel"};
  }
  return {false, "/dev/kvm exists but the CPU shows no hardware virtualization (vmx/svm)"};
}

std::vector<std::string> kvm_qemu_args() {
  // arch-capabilities makes some hosts fail on MSR 0x10a; the guest does not need it.
  return {"-accel", "kvm", "-cpu", "host,-arch-capabilities"};
}

}  // namespace msb::engine::vm
