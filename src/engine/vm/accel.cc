#include "engine/vm/accel.h"

#include <cstdlib>

namespace msb::engine::vm {

Result<Accel> choose_accel(std::optional<Accel> requested) {
  if (!requested) {
    const char* from_env = std::getenv("MSB_ACCEL");
    if (from_env && *from_env)
      requested = MSB_TRY(std::move(parse_accel(from_env)).context("MSB_ACCEL"));
  }
  if (requested == Accel::kTcg) return Accel::kTcg;
  AccelProbe kvm = probe_kvm();
  if (requested == Accel::kKvm && !kvm.usable) {
    return err(ErrorKind::kUnsupported, "KVM requested but not usable: {}; use --accel tcg",
               kvm.reason);
  }
  return kvm.usable ? Accel::kKvm : Accel::kTcg;
}

}  // namespace msb::engine::vm
