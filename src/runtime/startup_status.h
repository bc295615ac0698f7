// The one line a supervisor writes to its starter once the sandbox is up (or could not
// come up), on the status pipe: {"ok":true,"pid":N} or {"ok":false,"kind":..,"message":..}.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace msb::runtime {

struct StartupStatus {
  bool ok = false;
  int pid = 0;  // the supervisor's pid
  ErrorKind kind = ErrorKind::kInternal;
  std::string message;
};

std::string encode_startup_status(const StartupStatus& status);
// Errors: kProtocol for text that is not such a line.
Result<StartupStatus> decode_startup_status(std::string_view text);

// The live supervisor of a sandbox, as recorded in run/<name>/supervisor.json.
struct SupervisorRecord {
  int pid = 0;
  uint64_t pid_start_time = 0;
  int engine_pid = 0;
  uint64_t engine_start_time = 0;
};
std::string encode_supervisor_record(const SupervisorRecord& record);
Result<SupervisorRecord> decode_supervisor_record(std::string_view text);

}  // namespace msb::runtime
