#include "cli/exit_codes.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>

namespace msb::cli {
namespace {

Error error_of(ErrorKind kind, int sys_errno = 0) { return Error{kind, sys_errno, "message"}; }

TEST(ExitCodes, DocumentedValues) {
  EXPECT_EQ(kExitOk, 0);
  EXPECT_EQ(kExitUsage, 2);
  EXPECT_EQ(kExitMsbFailed, 125);
  EXPECT_EQ(kExitCannotInvoke, 126);
  EXPECT_EQ(kExitCommandNotFound, 127);
}

TEST(ExitCodes, BadArgumentsAndConfigAreUsageErrors) {
  EXPECT_EQ(exit_code_for(error_of(ErrorKind::kInvalidArgument)), kExitUsage);
  EXPECT_EQ(exit_code_for(error_of(ErrorKind::kInvalidConfig)), kExitUsage);
}

TEST(ExitCodes, MissingCommandIs127) {
  EXPECT_EQ(exit_code_for(error_of(ErrorKind::kExecFailed, ENOENT)), kExitCommandNotFound);
}

TEST(ExitCodes, CommandThatCannotRunIs126) {
  EXPECT_EQ(exit_code_for(error_of(ErrorKind::kExecFailed, EACCES)), kExitCannotInvoke);
  EXPECT_EQ(exit_code_for(error_of(ErrorKind::kExecFailed, ENOEXEC)), kExitCannotInvoke);
  EXPECT_EQ(exit_code_for(error_of(ErrorKind::kExecFailed, 0)), kExitCannotInvoke);
}

TEST(ExitCodes, CancelledIs128PlusTheSignal) {
  EXPECT_EQ(exit_code_for(error_of(ErrorKind::kCancelled, SIGINT)), 130);
  EXPECT_EQ(exit_code_for(error_of(ErrorKind::kCancelled, SIGTERM)), 143);
  EXPECT_EQ(exit_code_for(error_of(ErrorKind::kCancelled, SIGHUP)), 129);
}

TEST(ExitCodes, CancelledWithoutASignalCountsAsCtrlC) {
  EXPECT_EQ(exit_code_for(error_of(ErrorKind::kCancelled, 0)), 130);
}

TEST(ExitCodes, ATimeoutIs124LikeTimeout1) {
  EXPECT_EQ(exit_code_for(error_of(ErrorKind::kTimeout, 0)), 124);
}

TEST(ExitCodes, EverythingElseIsAnMsbFailure) {
  for (ErrorKind kind : {ErrorKind::kInternal, ErrorKind::kNotFound, ErrorKind::kAlreadyExists,
                         ErrorKind::kStillRunning, ErrorKind::kPermissionDenied, ErrorKind::kIo,
                         ErrorKind::kProtocol, ErrorKind::kBootFailed, ErrorKind::kImageNotFound,
                         ErrorKind::kUnsupported, ErrorKind::kImageInUse, ErrorKind::kIntegrity}) {
    EXPECT_EQ(exit_code_for(error_of(kind, ENOENT)), kExitMsbFailed) << error_kind_name(kind);
  }
}

}  // namespace
}  // namespace msb::cli
