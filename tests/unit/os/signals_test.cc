#include "os/signals.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <optional>

#include "os/io.h"

namespace msb::os {
namespace {

bool is_blocked(int sig) {
  sigset_t current;
  sigemptyset(&current);
  ::pthread_sigmask(SIG_SETMASK, nullptr, &current);
  return sigismember(&current, sig) == 1;
}

TEST(SignalFd, ReceivesARaisedSignal) {
  Result<SignalFd> signals = SignalFd::create({SIGUSR1});
  ASSERT_TRUE(signals.has_value()) << signals.error().message;
  ASSERT_EQ(::raise(SIGUSR1), 0);
  pollfd pfd{signals->fd(), POLLIN, 0};
  ASSERT_EQ(poll_fds(std::span(&pfd, 1), 1000).value(), 1);
  Result<std::optional<int>> sig = signals->read_signal();
  ASSERT_TRUE(sig.has_value());
  ASSERT_TRUE(sig->has_value());
  EXPECT_EQ(**sig, SIGUSR1);
}

TEST(SignalFd, NothingPendingIsNullopt) {
  Result<SignalFd> signals = SignalFd::create({SIGUSR2});
  ASSERT_TRUE(signals.has_value());
  Result<std::optional<int>> sig = signals->read_signal();
  ASSERT_TRUE(sig.has_value());
  EXPECT_FALSE(sig->has_value());
}

TEST(SignalFd, DeliversEachSignalOfTheSet) {
  Result<SignalFd> signals = SignalFd::create({SIGUSR1, SIGUSR2});
  ASSERT_TRUE(signals.has_value());
  ASSERT_EQ(::raise(SIGUSR2), 0);
  ASSERT_EQ(::raise(SIGUSR1), 0);
  std::optional<int> first = signals->read_signal().value();
  std::optional<int> second = signals->read_signal().value();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(*first + *second, SIGUSR1 + SIGUSR2);
  EXPECT_NE(*first, *second);
  EXPECT_FALSE(signals->read_signal().value().has_value());
}

TEST(SignalFd, FdIsCloexecAndNonblocking) {
  Result<SignalFd> signals = SignalFd::create({SIGUSR1});
  ASSERT_TRUE(signals.has_value());
  EXPECT_NE(::fcntl(signals->fd(), F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_NE(::fcntl(signals->fd(), F_GETFL) & O_NONBLOCK, 0);
}

TEST(SignalFd, MaskIsRestoredAfterDestruction) {
  ASSERT_FALSE(is_blocked(SIGUSR1));
  {
    Result<SignalFd> signals = SignalFd::create({SIGUSR1});
    ASSERT_TRUE(signals.has_value());
    EXPECT_TRUE(is_blocked(SIGUSR1));
  }
  EXPECT_FALSE(is_blocked(SIGUSR1));
}

TEST(SignalFd, UnblockableSignalInTheSetIsHarmless) {
  ASSERT_FALSE(is_blocked(SIGUSR2));
  // SIGKILL cannot be blocked; signalfd ignores it silently, so creation still succeeds.
  {
    Result<SignalFd> signals = SignalFd::create({SIGUSR2, SIGKILL});
    ASSERT_TRUE(signals.has_value());
  }
  EXPECT_FALSE(is_blocked(SIGUSR2));
}

TEST(SignalFd, MovedFromDoesNotRestoreTheMaskEarly) {
  ASSERT_FALSE(is_blocked(SIGUSR1));
  {
    Result<SignalFd> signals = SignalFd::create({SIGUSR1});
    ASSERT_TRUE(signals.has_value());
    {
      SignalFd moved = std::move(*signals);
      EXPECT_TRUE(is_blocked(SIGUSR1));
    }
    EXPECT_FALSE(is_blocked(SIGUSR1));
  }
  EXPECT_FALSE(is_blocked(SIGUSR1));
}

TEST(SignalFd, MoveKeepsTheMaskUntilTheNewOwnerDies) {
  std::optional<SignalFd> holder;
  {
    Result<SignalFd> signals = SignalFd::create({SIGUSR1});
    ASSERT_TRUE(signals.has_value());
    holder.emplace(std::move(*signals));
  }
  EXPECT_TRUE(is_blocked(SIGUSR1));
  holder.reset();
  EXPECT_FALSE(is_blocked(SIGUSR1));
}

}  // namespace
}  // namespace msb::os
