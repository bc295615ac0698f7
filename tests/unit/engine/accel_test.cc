#include "engine/vm/accel.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "scoped_env.h"

namespace msb::engine::vm {
namespace {

using ::msb::testing::ScopedEnv;
using ::testing::HasSubstr;

TEST(ParseAccel, AcceptsKvmAndTcg) {
  EXPECT_EQ(parse_accel("kvm").value(), Accel::kKvm);
  EXPECT_EQ(parse_accel("tcg").value(), Accel::kTcg);
}

TEST(ParseAccel, RejectsAnythingElse) {
  for (const char* text : {"", "KVM", "xen", "kvm ", "hvf"}) {
    Result<Accel> accel = parse_accel(text);
    ASSERT_FALSE(accel.has_value()) << text;
    EXPECT_EQ(accel.error().kind, ErrorKind::kInvalidArgument);
    EXPECT_THAT(accel.error().message, HasSubstr("expected kvm or tcg"));
  }
}

TEST(ParseAccel, NamesRoundTrip) {
  for (Accel accel : {Accel::kKvm, Accel::kTcg}) {
    EXPECT_EQ(parse_accel(accel_name(accel)).value(), accel);
  }
}

TEST(ProbeKvm, GivesAReason) {
  AccelProbe probe = probe_kvm();
  EXPECT_FALSE(probe.reason.empty());
  EXPECT_THAT(probe.reason, HasSubstr("/dev/kvm"));
}

TEST(ChooseAccel, ExplicitTcgIsTcg) {
  ScopedEnv env("MSB_ACCEL", "kvm");
  EXPECT_EQ(choose_accel(Accel::kTcg).value(), Accel::kTcg);
}

TEST(ChooseAccel, ExplicitRequestIgnoresABadEnvironment) {
  ScopedEnv env("MSB_ACCEL", "bogus");
  EXPECT_EQ(choose_accel(Accel::kTcg).value(), Accel::kTcg);
}

TEST(ChooseAccel, EnvironmentTcgIsRespected) {
  ScopedEnv env("MSB_ACCEL", "tcg");
  EXPECT_EQ(choose_accel(std::nullopt).value(), Accel::kTcg);
}

TEST(ChooseAccel, BogusEnvironmentIsAnError) {
  ScopedEnv env("MSB_ACCEL", "bogus");
  Result<Accel> accel = choose_accel(std::nullopt);
  ASSERT_FALSE(accel.has_value());
  EXPECT_EQ(accel.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_THAT(accel.error().message, HasSubstr("MSB_ACCEL"));
  EXPECT_THAT(accel.error().message, HasSubstr("bogus"));
}

// On a machine without usable KVM (e.g. /dev/kvm from kvm_pvm) this is kUnsupported;
// on one with KVM it is kvm. Either way it must agree with the probe.
TEST(ChooseAccel, ExplicitKvmAgreesWithTheProbe) {
  ScopedEnv env("MSB_ACCEL", std::nullopt);
  AccelProbe probe = probe_kvm();
  Result<Accel> accel = choose_accel(Accel::kKvm);
  if (probe.usable) {
    ASSERT_TRUE(accel.has_value()) << accel.error().message;
    EXPECT_EQ(*accel, Accel::kKvm);
  } else {
    ASSERT_FALSE(accel.has_value());
    EXPECT_EQ(accel.error().kind, ErrorKind::kUnsupported);
    EXPECT_THAT(accel.error().message, HasSubstr(probe.reason));
    EXPECT_THAT(accel.error().message, HasSubstr("--accel tcg"));
  }
}

TEST(ChooseAccel, EnvironmentKvmAgreesWithTheProbe) {
  ScopedEnv env("MSB_ACCEL", "kvm");
  Result<Accel> accel = choose_accel(std::nullopt);
  if (probe_kvm().usable) {
    EXPECT_EQ(accel.value(), Accel::kKvm);
  } else {
    ASSERT_FALSE(accel.has_value());
    EXPECT_EQ(accel.error().kind, ErrorKind::kUnsupported);
  }
}

TEST(ChooseAccel, DetectionPicksKvmOnlyWhenUsable) {
  for (const char* value : {"", static_cast<const char*>(nullptr)}) {
    ScopedEnv env("MSB_ACCEL", value ? std::optional<std::string>(value) : std::nullopt);
    Result<Accel> accel = choose_accel(std::nullopt);
    ASSERT_TRUE(accel.has_value()) << accel.error().message;
    EXPECT_EQ(*accel, probe_kvm().usable ? Accel::kKvm : Accel::kTcg);
  }
}

}  // namespace
}  // namespace msb::engine::vm
