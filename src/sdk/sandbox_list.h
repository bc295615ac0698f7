// Listing sandboxes: the whole list (msb ls, label targets) and the SDK's pages with an
// opaque cursor. Both are newest first (created_at descending, ties by id descending), and
// both reconcile rows whose supervisor died before reading. Each call opens its own store
// connection, so each is safe to call from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "store/sandbox_records.h"

namespace msb::sdk {

inline constexpr uint32_t kDefaultListLimit = 20;
inline constexpr uint32_t kMaxListLimit = 100;

// Every sandbox carrying all of `label_selector`, newest first. Store errors only.
Result<std::vector<store::SandboxRecord>> list_sandboxes(
    const std::map<std::string, std::string>& label_selector = {});

// One page of a listing.
struct SandboxRecordPage {
  std::vector<store::SandboxRecord> records;
  std::string next_cursor;  // "" when no sandbox follows
};

// Up to `limit` sandboxes carrying all of `label_selector`, newest first, after the place
// `cursor` marks ("" = from the newest). Paging is by key (created_at, id), so sandboxes
// created between two calls never shift or repeat what the next page shows. Errors:
// kInvalidArgument (limit 0 or over 100; a cursor this function did not make), store
// errors.
Result<SandboxRecordPage> list_sandbox_page(
    const std::map<std::string, std::string>& label_selector, uint32_t limit,
    const std::string& cursor);

// The cursor text of a list position, and back. decode: kInvalidArgument for any text
// encode did not make. Thread-safe.
std::string encode_list_cursor(const store::SandboxListKey& key);
Result<store::SandboxListKey> decode_list_cursor(std::string_view cursor);

}  // namespace msb::sdk
