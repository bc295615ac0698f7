#include "runtime/exec_log.h"

#include <fcntl.h>

#include <nlohmann/json.hpp>

#include "os/clock.h"
#include "os/file.h"
#include "os/io.h"

namespace msb::runtime {
namespace {

nlohmann::json entry(uint32_t session, const char* stream) {
  return {{"t", os::realtime_ns()}, {"session", session}, {"stream", stream}};
}

}  // namespace

Result<ExecLog> ExecLog::open(const std::string& path) {
  os::Fd fd = MSB_TRY(os::open_file(path, O_WRONLY | O_CREAT | O_APPEND, 0600));
  return ExecLog(std::move(fd));
}

void ExecLog::append(const std::string& line) {
  // A full disk must not stop the sandbox: the log is best effort.
  (void)os::write_all(fd_.get(), line + "\n");
}

void ExecLog::on_request(uint32_t session, const protocol::ExecRequest& request) {
  nlohmann::json line = entry(session, "start");
  line["cmd"] = request.cmd;
  line["args"] = request.args;
  append(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void ExecLog::on_output(uint32_t session, const char* stream, std::string_view data) {
  nlohmann::json line = entry(session, stream);
  line["data"] = std::string(data);
  append(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void ExecLog::on_exit(uint32_t session, const protocol::ExecExited& exited) {
  nlohmann::json line = entry(session, "exit");
  line["code"] = exited.code;
  line["signal"] = exited.signal;
  append(line.dump());
}

}  // namespace msb::runtime
