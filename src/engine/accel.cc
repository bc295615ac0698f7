#include "engine/engine.h"

namespace msb::engine {

std::string_view accel_name(Accel accel) { return accel == Accel::kKvm ? "kvm" : "tcg"; }

Result<Accel> parse_accel(std::string_view text) {
  if (text == "kvm") return Accel::kKvm;
  if (text == "tcg") return Accel::kTcg;
  return err(ErrorKind::kInvalidArgument, "unknown accelerator '{}' (expected kvm or tcg)", text);
}

std::string_view isolation_name(Isolation isolation) {
  return isolation == Isolation::kVm ? "vm" : "namespace";
}

Result<Isolation> parse_isolation(std::string_view text) {
  if (text == "vm") return Isolation::kVm;
  if (text == "namespace") return Isolation::kNamespace;
  return err(ErrorKind::kInvalidConfig, "unknown isolation '{}' (expected vm or namespace)", text);
}

std::unique_ptr<Engine> make_engine(Isolation isolation) {
  return isolation == Isolation::kVm ? make_vm_engine() : make_ns_engine();
}

}  // namespace msb::engine
