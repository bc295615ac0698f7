#include "os/process_stat.h"

#include <charconv>
#include <limits>

#include "os/file.h"

namespace msb::os {
namespace {

// The stat fields after the command name: field 3 (state) is the first.
constexpr int kFirstFieldAfterName = 3;
constexpr int kParentPidField = 4;
constexpr int kProcessGroupField = 5;
constexpr int kStartTimeField = 22;

template <class Number>
bool parse_number(std::string_view text, Number& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// The next space-separated field of `rest`, which it consumes.
std::string_view next_field(std::string_view& rest) {
  size_t start = rest.find_first_not_of(' ');
  if (start == std::string_view::npos) return rest = {};
  size_t end = rest.find(' ', start);
  std::string_view field = rest.substr(start, end == std::string_view::npos ? end : end - start);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  return field;
}

}  // namespace

std::optional<ProcessStat> ProcessStat::parse(std::string_view text) {
  size_t open = text.find(" (");
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return std::nullopt;
  ProcessStat stat;
  if (!parse_number(text.substr(0, open), stat.pid)) return std::nullopt;
  stat.comm = std::string(text.substr(open + 2, close - open - 2));
  std::string_view rest = text.substr(close + 1);
  for (int index = kFirstFieldAfterName; index <= kStartTimeField; ++index) {
    std::string_view field = next_field(rest);
    bool ok = !field.empty();
    if (index == kFirstFieldAfterName) {
      ok = ok && field.size() == 1;
      stat.state = ok ? field[0] : '?';
    } else if (index == kParentPidField) {
      ok = ok && parse_number(field, stat.parent_pid);
    } else if (index == kProcessGroupField) {
      ok = ok && parse_number(field, stat.process_group);
    } else if (index == kStartTimeField) {
      ok = ok && parse_number(field, stat.start_time);
    }
    if (!ok) return std::nullopt;
  }
  return stat;
}

std::optional<ProcessStat> ProcessStat::read(int pid) {
  if (pid <= 0) return std::nullopt;
  Result<std::string> text = read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return std::nullopt;
  return parse(*text);
}

std::optional<ProcessStat> ProcessStat::read_started_at(int64_t pid, uint64_t start_time) {
  if (pid <= 0 || pid > std::numeric_limits<int>::max()) return std::nullopt;
  std::optional<ProcessStat> stat = read(static_cast<int>(pid));
  if (!stat || (start_time != 0 && stat->start_time != start_time)) return std::nullopt;
  return stat;
}

}  // namespace msb::os
