// Typed access to the `sandbox` and `sandbox_label` tables.
//
// Every function here returns Result and never throws. Besides the kinds named per function,
// each may fail with the errors of Database: kTimeout when another writer holds the lock past
// the busy timeout, kIo for anything else. Thread-safety is that of Database: the functions
// may be called from several threads on one connection, but those that open a Transaction
// (noted below) must not be called while a Transaction is open on the same connection.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "store/database.h"

namespace msb::store {

// The lifecycle state of a sandbox, as stored in `sandbox.status`.
enum class SandboxStatus { kCreated, kRunning, kDraining, kPaused, kStopped, kCrashed };

// The stored spelling: "created", "running", "draining", "paused", "stopped", "crashed".
// Thread-safe.
std::string_view sandbox_status_name(SandboxStatus status);
// The inverse of sandbox_status_name. Errors: kInvalidArgument for any other text.
// Thread-safe.
Result<SandboxStatus> parse_sandbox_status(std::string_view name);

// One row of `sandbox` with its labels. Times are nanoseconds since the Unix epoch.
struct SandboxRecord {
  int64_t id = 0;
  std::string name;
  std::string config_json;
  SandboxStatus status = SandboxStatus::kCreated;
  bool ephemeral = false;
  std::string last_error;  // "" when none
  int64_t created_at_ns = 0;
  int64_t updated_at_ns = 0;
  std::map<std::string, std::string> labels;

  bool operator==(const SandboxRecord&) const = default;
};

// What insert_sandbox needs; the rest is filled in by the store.
struct NewSandbox {
  std::string name;
  std::string config_json;
  bool ephemeral = false;
  std::map<std::string, std::string> labels;
};

// Inserts `sandbox` with status created, created_at = updated_at = now, and its labels, in
// one transaction, and returns the stored record. The name is not validated here.
// Errors: kAlreadyExists when the name is taken, with the message "sandbox '<name>' already
// exists; remove it, start the stopped sandbox, or recreate with replace" (the existing row
// is left untouched). Opens a Transaction.
Result<SandboxRecord> insert_sandbox(Database& db, const NewSandbox& sandbox);

// The sandbox named `name` with its labels, or nullopt when there is none.
Result<std::optional<SandboxRecord>> find_sandbox(Database& db, std::string_view name);

// Every sandbox carrying all the labels of `label_selector` (each key with exactly that
// value), newest first: created_at descending, ties by id descending. An empty selector
// lists all. Read in one statement, so the list is one consistent snapshot.
Result<std::vector<SandboxRecord>> list_sandboxes(
    Database& db, const std::map<std::string, std::string>& label_selector = {});

// A place in the newest-first order of list_sandboxes: the (created_at, id) of a row.
struct SandboxListKey {
  int64_t created_at_ns = 0;
  int64_t id = 0;

  bool operator==(const SandboxListKey&) const = default;
};

// The key of `record` in the list order.
SandboxListKey list_key_of(const SandboxRecord& record);

// Keyset paging over list_sandboxes' order: at most `limit` matching sandboxes that come
// after `after` (all from the newest when nullopt). Rows inserted meanwhile are newer, so
// they never shift a later page. REQUIRES: limit > 0.
Result<std::vector<SandboxRecord>> list_sandboxes_after(
    Database& db, const std::map<std::string, std::string>& label_selector,
    std::optional<SandboxListKey> after, size_t limit);

// Sets the status of sandbox `sandbox_id` and its updated_at to now. `last_error`: nullopt
// leaves the stored error as it is, "" clears it, any other text replaces it.
// Errors: kNotFound when there is no such sandbox.
Result<void> set_sandbox_status(Database& db, int64_t sandbox_id, SandboxStatus status,
                                std::optional<std::string> last_error = std::nullopt);

// Replaces the config JSON of sandbox `sandbox_id` (not parsed here) and sets updated_at.
// Errors: kNotFound when there is no such sandbox.
Result<void> set_sandbox_config(Database& db, int64_t sandbox_id, std::string_view config_json);

// Deletes sandbox `sandbox_id`; its labels, runs and rootfs pin go with it (ON DELETE
// CASCADE). It does not check whether the sandbox is running: callers stop it first.
// Errors: kNotFound when there is no such sandbox.
Result<void> delete_sandbox(Database& db, int64_t sandbox_id);

}  // namespace msb::store
