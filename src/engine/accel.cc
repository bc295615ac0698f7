#include "engine/engine.h"

namespace msb::engine {

std::string_view accel_name(Accel accel) { return accel == Accel::kKvm ? "kvm" : "tcg"; }

Result<Accel> parse_accel(std::string_view text) {
  if (text == "kvm") return Accel::kKvm;
  if (text == "tcg") return Accel::kTcg;
  return err(ErrorKind::kInvalidArgument, "unknown accelerator '{}' (expected kvm or tcg)", text);
}

}  // namespace msb::engine
