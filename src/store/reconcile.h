// Reconciliation: sandboxes whose supervisor died without recording how they ended (killed
// with SIGKILL, the host rebooted, a crash) still read running or draining. These functions
// find them and mark them crashed, so that they can be started, replaced or removed again.
//
// Both return Result and never throw; besides the kinds named, they may fail with the
// errors of Database (kTimeout, kIo). Thread-safety is that of Database; both open
// Transactions, so they must not be called while a Transaction is open on the same
// connection. Several processes may reconcile one store at once: each fix re-reads its row
// under the write lock.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "store/database.h"

namespace msb::store {

// Says whether the process (pid, start time) still lives; start time 0 means unknown.
using ProcessAlive = std::function<bool(int64_t pid, uint64_t start_time)>;

// The default ProcessAlive: true when process `pid` exists and, unless `start_time` is 0,
// started at `start_time` (os::ProcessStat::start_time), so that a process that reused a dead
// supervisor's pid does not count. A zombie still counts as alive until it is reaped.
// Thread-safe.
bool process_alive(int64_t pid, uint64_t start_time);

// Fixes every sandbox whose status is running or draining and whose running run's
// supervisor is not alive (or that has no running run at all): the sandbox becomes crashed
// with last_error "supervisor (pid N) died without recording how the sandbox ended" (or
// "sandbox was <status> but no supervisor run recorded"), and its running run becomes
// terminated with reason internal-error at now. Each sandbox is fixed in its own
// transaction that re-reads it first: when its supervisor ended the run meanwhile, or a new
// live run began, nothing changes. Sandboxes that need no fix take no write lock.
// Returns the names of the sandboxes fixed, in name order.
Result<std::vector<std::string>> reconcile(Database& db, const ProcessAlive& alive = process_alive);

// As reconcile, for the one sandbox named `name` (used before start and replace). Returns
// whether it was fixed; false when it needed no fix or there is no such sandbox.
Result<bool> reconcile_sandbox(Database& db, std::string_view name,
                               const ProcessAlive& alive = process_alive);

}  // namespace msb::store
