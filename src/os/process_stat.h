// ProcessStat: the fields of /proc/<pid>/stat that we use, parsed in one place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace msb::os {

struct ProcessStat {
  int pid = 0;
  std::string comm;  // field 2 without its parentheses; may hold spaces and ')'
  char state = '?';  // field 3: R, S, D, Z, X, ...
  int parent_pid = 0;
  int process_group = 0;
  // Field 22: clock ticks since boot. With the pid it names one process: a pid reused by
  // a later process has a later start time.
  uint64_t start_time = 0;

  // False for a zombie (Z) or a dead task (X): it runs no more, only its parent's
  // reaping is missing.
  bool alive() const { return state != 'Z' && state != 'X'; }

  // Parses one line of /proc/<pid>/stat. The command name may hold spaces and ')', so it
  // ends at the LAST ')'. nullopt when the text is not such a line. Thread-safe.
  static std::optional<ProcessStat> parse(std::string_view text);
  // Reads /proc/<pid>/stat: nullopt when there is no such process (or it went away while
  // being read). A zombie is still read; see alive(). Thread-safe.
  static std::optional<ProcessStat> read(int pid);
  // read(pid), but nullopt also when `pid` is out of range or the process there is not the
  // one that started at `start_time` (its pid was reused); a `start_time` of 0 accepts
  // whichever process has the pid. Thread-safe.
  static std::optional<ProcessStat> read_started_at(int64_t pid, uint64_t start_time);
};

}  // namespace msb::os
