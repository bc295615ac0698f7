// Start and the handles it gives: start() is attached like create(), start_detached() is
// not; only lifecycle owners wait; drain of a stopped sandbox does nothing; start refuses
// paused and created sandboxes and a stored config that no longer validates.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "lifecycle_fixture.h"
#include "store/database.h"
#include "store/sandbox_records.h"

namespace msb::testing {
namespace {

using microsandbox::ErrorKind;
using microsandbox::Sandbox;
using microsandbox::SandboxStatus;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kNotOwner = "cannot wait: not the lifecycle owner";

bool status_becomes(const std::string& name, SandboxStatus status) {
  return wait_until([&] { return Sandbox::get(name).status == status; }, kSlow);
}

// The record of `name`, changed by `change` directly in the store (as a crash, another
// version of msb, or a hand edit would leave it).
void edit_record(const std::string& home, const std::string& name,
                 const std::function<void(store::Database&, int64_t)>& change) {
  store::Database db = store::Database::open(home + "/db/msb.db").value();
  std::optional<store::SandboxRecord> record = store::find_sandbox(db, name).value();
  ASSERT_TRUE(record.has_value());
  change(db, record->id);
}

TEST_F(LifecycleTest, StartIsAttachedAndStartDetachedLeavesTheLifecycleToNobody) {
  {
    Sandbox created = sandbox_builder("o").create_detached();
    EXPECT_FALSE(created.owns_lifecycle());
    microsandbox::Error not_owner = error_of([&] { created.wait(); });
    EXPECT_EQ(not_owner.kind(), ErrorKind::kInvalidArgument);
    EXPECT_THAT(not_owner.what(), HasSubstr(kNotOwner));
    EXPECT_NO_THROW(created.detach());
    created.stop_and_wait();
  }
  {
    Sandbox started = Sandbox::start("o");
    EXPECT_TRUE(started.owns_lifecycle());
    EXPECT_EQ(Sandbox::get("o").status, SandboxStatus::kRunning);
  }
  // The attached handle is gone, as it would be when its process exits: the sandbox stops.
  EXPECT_TRUE(status_becomes("o", SandboxStatus::kStopped));
  EXPECT_EQ(last_run_reason("o"), "shutdown-requested");
  // Its supervisor records the stop before it exits: start again only once it is gone.
  ASSERT_TRUE(wait_until([&] { return leftover_processes().empty(); }, std::chrono::seconds(30)));

  {
    Sandbox started = Sandbox::start_detached("o");
    EXPECT_FALSE(started.owns_lifecycle());
    EXPECT_THAT(error_of([&] { started.wait(); }).what(), HasSubstr(kNotOwner));
    EXPECT_NO_THROW(started.detach());
  }
  // Nobody's handle stops it: still running well after the handle went.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  Sandbox connected = Sandbox::connect("o");
  EXPECT_FALSE(connected.owns_lifecycle());
  EXPECT_EQ(connected.exec("echo", {"alive"}).stdout_data, "alive\n");
  connected.stop_and_wait();

  // An owner that detaches gives the lifecycle up.
  {
    Sandbox started = Sandbox::start("o");
    started.detach();
    EXPECT_FALSE(started.owns_lifecycle());
    EXPECT_THAT(error_of([&] { started.wait(); }).what(), HasSubstr(kNotOwner));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(Sandbox::get("o").status, SandboxStatus::kRunning);
  Sandbox::connect("o").stop_and_wait();

  // msb start stays detached: the sandbox runs on after msb has exited.
  CliResult started = msb({"start", "o"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  EXPECT_EQ(listed_status("o"), "running");
  Sandbox::connect("o").stop_and_wait();
  Sandbox::remove("o");
}

TEST_F(LifecycleTest, DrainOfASandboxThatIsNotRunningSucceedsAndDoesNothing) {
  sandbox_builder("dr").create().stop_and_wait();
  std::string reason = last_run_reason("dr");
  EXPECT_NO_THROW(Sandbox::connect("dr").drain());
  CliResult drained = msb({"drain", "dr"});
  EXPECT_EQ(drained.exit_code, 0) << drained.err;
  EXPECT_EQ(drained.err, "");
  EXPECT_EQ(Sandbox::get("dr").status, SandboxStatus::kStopped);
  EXPECT_EQ(last_run_reason("dr"), reason);
  EXPECT_THAT(leftover_processes(), IsEmpty());
  EXPECT_EQ(error_of([] { Sandbox::connect("missing"); }).kind(), ErrorKind::kNotFound);
  EXPECT_NE(msb({"drain", "missing"}).exit_code, 0);
  Sandbox::remove("dr");
}

TEST_F(LifecycleTest, StartRefusesPausedAndCreatedAndAStoredConfigThatNoLongerValidates) {
  sandbox_builder("p").create().stop_and_wait();
  for (store::SandboxStatus status :
       {store::SandboxStatus::kPaused, store::SandboxStatus::kCreated}) {
    edit_record(home(), "p", [&](store::Database& db, int64_t id) {
      ASSERT_TRUE(store::set_sandbox_status(db, id, status).has_value());
    });
    microsandbox::Error refused = error_of([] { Sandbox::start("p"); });
    EXPECT_EQ(refused.kind(), ErrorKind::kStillRunning);
    EXPECT_EQ(std::string(refused.what()), "cannot start sandbox 'p': status is " +
                                               std::string(store::sandbox_status_name(status)) +
                                               " (expected Stopped or Crashed)");
  }
  edit_record(home(), "p", [](store::Database& db, int64_t id) {
    ASSERT_TRUE(store::set_sandbox_status(db, id, store::SandboxStatus::kStopped).has_value());
  });

  std::string stored = Sandbox::get("p").config_json;
  nlohmann::json reserved_env = nlohmann::json::parse(stored);
  reserved_env["env"] = {{{"name", "MSB_X"}, {"value", "1"}}};
  for (const std::string& damaged : {std::string("{not json"), reserved_env.dump()}) {
    SCOPED_TRACE(damaged);
    edit_record(home(), "p", [&](store::Database& db, int64_t id) {
      ASSERT_TRUE(store::set_sandbox_config(db, id, damaged).has_value());
    });
    microsandbox::Error invalid = error_of([] { Sandbox::start("p"); });
    EXPECT_EQ(invalid.kind(), ErrorKind::kInvalidConfig) << invalid.what();
    EXPECT_THAT(invalid.what(), HasSubstr("cannot start sandbox 'p'"));
    EXPECT_EQ(Sandbox::get("p").status, SandboxStatus::kStopped) << "it booted";
    EXPECT_THAT(leftover_processes(), IsEmpty());
  }
  Sandbox::remove("p");
}

}  // namespace
}  // namespace msb::testing
