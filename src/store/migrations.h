// Versioned schema migrations, tracked in `PRAGMA user_version`.
#pragma once

#include <span>
#include <string_view>

#include "common/error.h"

namespace msb::store {

class Database;

// One schema step: migrations/NNN_name.sql, embedded at build time. `version` is NNN; the
// list of a build runs 1, 2, ... without gaps, and a released migration never changes.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// The migrations compiled into this binary, in order.
std::span<const Migration> builtin_migrations();

// The schema version stored in the database (0 for a new file). Errors: kIo.
Result<int> schema_version(Database& db);

// Applies every migration of `migrations` newer than the stored version, each in its own
// BEGIN IMMEDIATE transaction that also sets user_version, so a failed step leaves the
// previous version and none of its tables. Safe when several processes open one file at
// once: the version is re-read under the write lock.
// Errors: kUnsupported when the stored version is newer than the last of `migrations`
// ("store <path>: schema version N is newer than this msb supports (M); upgrade msb"),
// kTimeout when another writer holds the lock past the busy timeout, kIo otherwise.
// REQUIRES: `migrations` has versions 1, 2, ... in order.
Result<void> migrate(Database& db, std::span<const Migration> migrations);

}  // namespace msb::store
