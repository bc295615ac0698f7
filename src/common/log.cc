#include "common/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <mutex>

namespace msb {
namespace {

struct LogState {
  std::mutex mutex;
  spdlog::sink_ptr sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  spdlog::level::level_enum level = spdlog::level::warn;
};

LogState& state() {
  static LogState* instance = new LogState();  // never destroyed: loggers outlive statics
  return *instance;
}

}  // namespace

std::shared_ptr<spdlog::logger> logger(const std::string& component) {
  LogState& s = state();
  std::lock_guard lock(s.mutex);
  if (auto existing = spdlog::get(component)) return existing;
  auto created = std::make_shared<spdlog::logger>(component, s.sink);
  created->set_level(s.level);
  // Diagnostics are rare; each must be on disk before a crash can lose it.
  created->flush_on(spdlog::level::trace);
  spdlog::register_logger(created);
  return created;
}

bool set_log_file(const std::string& path) {
  LogState& s = state();
  std::lock_guard lock(s.mutex);
  spdlog::sink_ptr sink;
  try {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path);
    // UTC ISO times: log readers (msb logs) parse them back.
    sink->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        kLogFilePattern, spdlog::pattern_time_type::utc));
  } catch (const spdlog::spdlog_ex&) {
    return false;
  }
  s.sink = sink;
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) {
    l->sinks().clear();
    l->sinks().push_back(sink);
  });
  return true;
}

void set_log_level(spdlog::level::level_enum level) {
  LogState& s = state();
  std::lock_guard lock(s.mutex);
  s.level = level;
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) { l->set_level(level); });
}

}  // namespace msb
