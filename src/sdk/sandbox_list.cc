#include "sdk/sandbox_list.h"

#include <charconv>

#include "common/paths.h"
#include "sdk/lifecycle.h"
#include "store/reconcile.h"

namespace msb::sdk {
namespace {

// Versioned, so the format may change without misreading an old cursor as a new one.
constexpr std::string_view kCursorPrefix = "v1.";

Result<store::Database> open_reconciled_store() {
  store::Database db = MSB_TRY(store::Database::open(msb_db_path()));
  MSB_TRY(store::reconcile(db, supervisor_alive));
  return db;
}

// Parses all of `text` as a non-negative decimal; nullopt otherwise.
std::optional<int64_t> parse_non_negative(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0)
    return std::nullopt;
  return value;
}

tl::unexpected<Error> bad_cursor(std::string_view cursor) {
  return err(ErrorKind::kInvalidArgument,
             "invalid list cursor '{}': pass the next_cursor of an earlier page, or \"\" for the "
             "first page",
             cursor);
}

}  // namespace

std::string encode_list_cursor(const store::SandboxListKey& key) {
  return fmt::format("{}{}.{}", kCursorPrefix, key.created_at_ns, key.id);
}

Result<store::SandboxListKey> decode_list_cursor(std::string_view cursor) {
  if (!cursor.starts_with(kCursorPrefix)) return bad_cursor(cursor);
  std::string_view rest = cursor.substr(kCursorPrefix.size());
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return bad_cursor(cursor);
  std::optional<int64_t> created_at = parse_non_negative(rest.substr(0, dot));
  std::optional<int64_t> id = parse_non_negative(rest.substr(dot + 1));
  if (!created_at || !id) return bad_cursor(cursor);
  return store::SandboxListKey{*created_at, *id};
}

Result<std::vector<store::SandboxRecord>> list_sandboxes(
    const std::map<std::string, std::string>& label_selector) {
  store::Database db = MSB_TRY(open_reconciled_store());
  std::vector<store::SandboxRecord> records = MSB_TRY(store::list_sandboxes(db, label_selector));
  std::vector<store::SandboxRecord> present;
  for (store::SandboxRecord& record : records) {
    if (!MSB_TRY(remove_if_crashed_ephemeral(db, record))) present.push_back(std::move(record));
  }
  return present;
}

Result<SandboxRecordPage> list_sandbox_page(
    const std::map<std::string, std::string>& label_selector, uint32_t limit,
    const std::string& cursor) {
  if (limit == 0 || limit > kMaxListLimit)
    return err(ErrorKind::kInvalidArgument, "list limit must be from 1 to {}, got {}",
               kMaxListLimit, limit);
  std::optional<store::SandboxListKey> after;
  if (!cursor.empty()) after = MSB_TRY(decode_list_cursor(cursor));
  store::Database db = MSB_TRY(open_reconciled_store());
  SandboxRecordPage page;
  // One row more than the page needs tells whether another page follows. Crashed ephemeral
  // sandboxes are removed as they are met, so a batch may fall short: read on from there.
  for (;;) {
    size_t wanted = limit - page.records.size() + 1;
    std::vector<store::SandboxRecord> batch =
        MSB_TRY(store::list_sandboxes_after(db, label_selector, after, wanted));
    for (store::SandboxRecord& record : batch) {
      after = store::list_key_of(record);
      if (MSB_TRY(remove_if_crashed_ephemeral(db, record))) continue;
      if (page.records.size() == limit) {
        page.next_cursor = encode_list_cursor(store::list_key_of(page.records.back()));
        return page;
      }
      page.records.push_back(std::move(record));
    }
    if (batch.size() < wanted) return page;
  }
}

}  // namespace msb::sdk
