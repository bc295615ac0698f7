#include "sdk/log_reader.h"

#include <time.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "os/file.h"

namespace msb::sdk {
namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty()) lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

bool parse_number(std::string_view text, int& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

// "2026-11-28T15:21:29.123456Z" -> ns since the epoch.
std::optional<int64_t> parse_utc(std::string_view text) {
  if (text.size() != 27 || text[4] != '-' || text[10] != 'T' || text[19] != '.' || text[26] != 'Z')
    return std::nullopt;
  tm parts{};
  int micros = 0;
  if (!parse_number(text.substr(0, 4), parts.tm_year) ||
      !parse_number(text.substr(5, 2), parts.tm_mon) ||
      !parse_number(text.substr(8, 2), parts.tm_mday) ||
      !parse_number(text.substr(11, 2), parts.tm_hour) ||
      !parse_number(text.substr(14, 2), parts.tm_min) ||
      !parse_number(text.substr(17, 2), parts.tm_sec) || !parse_number(text.substr(20, 6), micros))
    return std::nullopt;
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  return int64_t(timegm(&parts)) * 1'000'000'000 + int64_t(micros) * 1000;
}

void read_source(const std::string& path, LogSource source, std::vector<LogLine>& out) {
  Result<std::string> text = os::read_file(path);
  if (!text) return;
  for (std::string_view line : split_lines(*text)) {
    std::optional<LogLine> parsed;
    if (source == LogSource::kExec) parsed = parse_exec_line(line);
    if (source == LogSource::kRuntime) parsed = parse_runtime_line(line);
    if (source == LogSource::kConsole) parsed = LogLine{0, source, "", 0, std::string(line)};
    if (parsed) out.push_back(std::move(*parsed));
  }
}

}  // namespace

std::string_view log_source_name(LogSource source) {
  switch (source) {
    case LogSource::kExec:
      return "exec";
    case LogSource::kRuntime:
      return "runtime";
    case LogSource::kConsole:
      return "console";
  }
  return "?";
}

Result<LogSource> parse_log_source(std::string_view name) {
  for (LogSource source : {LogSource::kExec, LogSource::kRuntime, LogSource::kConsole})
    if (log_source_name(source) == name) return source;
  return err(ErrorKind::kInvalidArgument, "unknown log source '{}': use exec, runtime or console",
             name);
}

std::optional<LogLine> parse_runtime_line(std::string_view line) {
  std::optional<int64_t> time = parse_utc(line.substr(0, 27));
  if (!time || line.size() < 28) return std::nullopt;
  std::string_view rest = line.substr(28);
  size_t component_end = rest.find(' ');
  if (component_end == std::string_view::npos) return std::nullopt;
  rest.remove_prefix(component_end + 1);
  size_t level_end = rest.find(' ');
  if (level_end == std::string_view::npos) return std::nullopt;
  return LogLine{*time, LogSource::kRuntime, std::string(rest.substr(0, level_end)), 0,
                 std::string(rest.substr(level_end + 1))};
}

std::optional<LogLine> parse_exec_line(std::string_view line) {
  nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  auto t = json.find("t");
  auto session = json.find("session");
  auto stream = json.find("stream");
  if (t == json.end() || !t->is_number_integer() || session == json.end() ||
      !session->is_number_unsigned() || stream == json.end() || !stream->is_string())
    return std::nullopt;
  LogLine out{t->get<int64_t>(), LogSource::kExec, stream->get<std::string>(),
              session->get<uint32_t>(), ""};
  if (auto data = json.find("data"); data != json.end() && data->is_string()) {
    out.text = data->get<std::string>();
  } else if (out.stream == "start") {
    out.text = json.value("cmd", std::string());
    if (auto args = json.find("args"); args != json.end() && args->is_array())
      for (const auto& arg : *args)
        if (arg.is_string()) out.text += " " + arg.get<std::string>();
  } else if (out.stream == "exit") {
    out.text = "exit code " + std::to_string(json.value("code", 0)) + ", signal " +
               std::to_string(json.value("signal", 0));
  }
  return out;
}

Result<std::vector<LogLine>> read_logs(const std::string& logs_dir, const LogQuery& query) {
  std::vector<LogSource> sources = query.sources;
  if (sources.empty()) sources = {LogSource::kExec, LogSource::kRuntime};
  std::vector<LogLine> lines;
  auto wants = [&](LogSource s) {
    return std::find(sources.begin(), sources.end(), s) != sources.end();
  };
  if (wants(LogSource::kConsole))
    read_source(logs_dir + "/console.log", LogSource::kConsole, lines);
  if (wants(LogSource::kRuntime))
    read_source(logs_dir + "/runtime.log", LogSource::kRuntime, lines);
  if (wants(LogSource::kExec)) read_source(logs_dir + "/exec.log", LogSource::kExec, lines);
  std::stable_sort(lines.begin(), lines.end(),
                   [](const LogLine& a, const LogLine& b) { return a.time_ns < b.time_ns; });
  std::erase_if(lines, [&](const LogLine& line) {
    if (line.source == LogSource::kConsole && (query.since_ns || query.until_ns)) return true;
    if (query.since_ns && line.time_ns < *query.since_ns) return true;
    return query.until_ns && line.time_ns > *query.until_ns;
  });
  if (query.tail && lines.size() > *query.tail)
    lines.erase(lines.begin(), lines.end() - static_cast<ptrdiff_t>(*query.tail));
  return lines;
}

}  // namespace msb::sdk
