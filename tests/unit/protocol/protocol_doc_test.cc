// docs/protocol.md must describe exactly the messages of src/protocol/messages.def.
//
// The doc's message table is the one markdown table whose header's first cell is
// "Message"; each of its rows starts with one wire name in backticks.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "os/file.h"
#include "protocol/messages.h"

namespace msb::protocol {
namespace {

constexpr const char* kDocPath = MSB_SOURCE_DIR "/docs/protocol.md";

std::string trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t\r");
  return std::string(text.substr(begin, end - begin + 1));
}

// The cells of a markdown table row ("| a | b |"), trimmed.
std::vector<std::string> cells(std::string_view line) {
  std::string_view inner = line.substr(line.find('|') + 1);
  if (size_t last = inner.rfind('|'); last != std::string_view::npos) inner = inner.substr(0, last);
  std::vector<std::string> out;
  for (size_t start = 0;;) {
    size_t bar = inner.find('|', start);
    out.push_back(trim(inner.substr(start, bar - start)));
    if (bar == std::string_view::npos) return out;
    start = bar + 1;
  }
}

bool is_table_row(std::string_view line) { return trim(line).starts_with("|"); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

struct MessageTable {
  int tables_found = 0;
  std::vector<std::string> first_cells;  // of every body row, as written
};

MessageTable find_message_table(const std::vector<std::string>& lines) {
  MessageTable table;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!is_table_row(lines[i]) || cells(lines[i]).front() != "Message") continue;
    if (i > 0 && is_table_row(lines[i - 1])) continue;  // a body row, not a header
    ++table.tables_found;
    for (size_t row = i + 2; row < lines.size() && is_table_row(lines[row]); ++row) {
      table.first_cells.push_back(cells(lines[row]).front());
    }
  }
  return table;
}

// "`core.ping`" -> "core.ping"; anything else -> "".
std::string backticked_name(const std::string& cell) {
  if (cell.size() < 3 || cell.front() != '`' || cell.back() != '`') return "";
  std::string name = cell.substr(1, cell.size() - 2);
  return name.find('`') == std::string::npos ? name : "";
}

class ProtocolDoc : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::string> text = os::read_file(kDocPath);
    ASSERT_TRUE(text.has_value()) << text.error().message;
    table_ = find_message_table(lines_of(*text));
    ASSERT_EQ(table_.tables_found, 1) << kDocPath << " needs exactly one table headed 'Message'";
    for (const std::string& cell : table_.first_cells) documented_.push_back(backticked_name(cell));
  }

  MessageTable table_;
  std::vector<std::string> documented_;
};

TEST(ProtocolDocParser, SplitsCellsAndBacktickedNames) {
  EXPECT_EQ(cells("| `a.b` | x |"), (std::vector<std::string>{"`a.b`", "x"}));
  EXPECT_EQ(cells("|a|"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(backticked_name("`core.ping`"), "core.ping");
  EXPECT_EQ(backticked_name("core.ping"), "");
  EXPECT_EQ(backticked_name("`a` and `b`"), "");
}

TEST_F(ProtocolDoc, EveryRowNamesOneMessageInBackticks) {
  for (size_t i = 0; i < documented_.size(); ++i) {
    EXPECT_FALSE(documented_[i].empty()) << "row '" << table_.first_cells[i] << "'";
  }
}

TEST_F(ProtocolDoc, ListsEveryMessageOfTheTable) {
  std::set<std::string> documented(documented_.begin(), documented_.end());
  for (std::string_view name : message_names()) {
    EXPECT_TRUE(documented.contains(std::string(name)))
        << name << " is in messages.def but not in the message table of " << kDocPath;
  }
}

TEST_F(ProtocolDoc, ListsNoMessageMissingFromTheTableOrTwice) {
  std::vector<std::string_view> names = message_names();
  std::set<std::string_view> known(names.begin(), names.end());
  std::set<std::string> seen;
  for (const std::string& name : documented_) {
    if (name.empty()) continue;  // reported by EveryRowNamesOneMessageInBackticks
    EXPECT_TRUE(known.contains(name))
        << kDocPath << " documents " << name << ", which messages.def does not have";
    EXPECT_TRUE(seen.insert(name).second) << name << " is listed twice";
  }
}

}  // namespace
}  // namespace msb::protocol
