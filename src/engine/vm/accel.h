// Accelerator choice for QEMU. Each accelerator is a sibling file (accel_kvm.cc,
// accel_tcg.cc) giving its probe and its QEMU arguments.
#pragma once

#include <string>
#include <vector>

#include "engine/engine.h"

namespace msb::engine::vm {

struct AccelProbe {
  bool usable = false;
  std::string reason;  // why (not) usable, shown by msb doctor and in errors
};

// KVM is usable only when /dev/kvm opens AND the host has real hardware virtualization
// (kvm_intel/kvm_amd loaded, or vmx/svm in the cpu flags). A /dev/kvm from a
// paravirtual hypervisor (kvm_pvm) cannot run a stock guest kernel.
AccelProbe probe_kvm();

// The accelerator to use: `requested` if given (kvm when unusable is kUnsupported),
// else $MSB_ACCEL, else KVM when usable, else TCG.
Result<Accel> choose_accel(std::optional<Accel> requested);

std::vector<std::string> kvm_qemu_args();
std::vector<std::string> tcg_qemu_args();

}  // namespace msb::engine::vm
