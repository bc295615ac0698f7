#include "engine/vm/accel.h"

namespace msb::engine::vm {

std::vector<std::string> tcg_qemu_args() { return {"-accel", "tcg", "-cpu", "max"}; }

}  // namespace msb::engine::vm
