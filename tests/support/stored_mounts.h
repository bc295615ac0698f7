// Stored sandboxes that mount named volumes, for the tests of volume users: a sandbox
// record whose config has a "mounts" array in the JSON form of config/volume_mount.h. No
// sandbox boots.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/sandbox_records.h"

namespace msb::testing {

// Inserts sandbox `name` (status created) whose config mounts each of `volumes` (at /data0,
// /data1, ...) and returns its id; 0 (and a test failure) when the insert fails.
inline int64_t add_sandbox_using(store::Database& db, const std::string& name,
                                 const std::vector<std::string>& volumes) {
  std::string mounts;
  for (size_t i = 0; i < volumes.size(); ++i) {
    mounts +=
        fmt::format(R"({}{{"kind":"named","source":"{}","target":"/data{}","read_only":false,)"
                    R"("noexec":false,"size_mib":0}})",
                    i ? "," : "", volumes[i], i);
  }
  std::string json = fmt::format(R"({{"name":"{}","mounts":[{}]}})", name, mounts);
  Result<store::SandboxRecord> record =
      store::insert_sandbox(db, store::NewSandbox{.name = name, .config_json = json});
  EXPECT_TRUE(record.has_value()) << record.error().message;
  return record ? record->id : 0;
}

}  // namespace msb::testing
