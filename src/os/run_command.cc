#include "os/run_command.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>

#include "os/child_process.h"
#include "os/clock.h"
#include "os/io.h"

namespace msb::os {

Result<std::string> run_command(const std::vector<std::string>& argv) {
  MSB_CHECK(!argv.empty());
  SpawnOptions options;
  options.argv = argv;
  PipePair output = MSB_TRY(make_pipe());
  options.fds = {{output.write.get(), 1}, {output.write.get(), 2}};
  ChildProcess child = MSB_TRY(ChildProcess::spawn(options));
  output.write.reset();  // the child holds the only write end: EOF once it exits
  std::string printed = MSB_TRY(read_to_end(output.read.get()));
  ExitStatus status = MSB_TRY(child.wait());
  if (!status.success())
    return err(ErrorKind::kIo, "{} exited with {}: {}", argv[0], status.shell_code(), printed);
  return printed;
}

}  // namespace msb::os

namespace msb::os {
namespace {

// Reads what is there into `into` (up to `cap` kept); false at end of file.
Result<bool> drain(int fd, std::string& into, size_t cap) {
  char buffer[16384];
  Result<size_t> got = read_some(fd, buffer);
  if (!got && got.error().sys_errno == EAGAIN) return true;
  if (!got) return tl::unexpected(got.error());
  if (*got == 0) return false;
  into.append(buffer, std::min(*got, cap - std::min(cap, into.size())));
  return true;
}

}  // namespace

Result<CommandOutput> run_command_with_input(const std::vector<std::string>& argv,
                                             std::string_view input,
                                             std::chrono::milliseconds timeout, size_t max_output) {
  MSB_CHECK(!argv.empty());
  // stdin is a socket so that a tool exiting without reading it gives EPIPE, not SIGPIPE.
  SocketPair stdin_pair = MSB_TRY(make_socketpair(SOCK_STREAM));
  PipePair stdout_pipe = MSB_TRY(make_pipe(O_NONBLOCK));
  PipePair stderr_pipe = MSB_TRY(make_pipe(O_NONBLOCK));
  SpawnOptions options;
  options.argv = argv;
  options.fds = {
      {stdin_pair.second.get(), 0}, {stdout_pipe.write.get(), 1}, {stderr_pipe.write.get(), 2}};
  ChildProcess child = MSB_TRY(ChildProcess::spawn(options));
  stdin_pair.second.reset();
  stdout_pipe.write.reset();
  stderr_pipe.write.reset();
  MSB_TRY(set_nonblocking(stdin_pair.first.get(), true));

  CommandOutput result;
  uint64_t deadline = monotonic_ns() + static_cast<uint64_t>(timeout.count()) * 1'000'000;
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    uint64_t now = monotonic_ns();
    if (now >= deadline) {
      (void)child.kill_and_wait();
      return err(ErrorKind::kTimeout, "{} did not finish within {} ms", argv[0], timeout.count());
    }
    bool writing = stdin_pair.first && !input.empty();
    pollfd fds[3] = {{out_open ? stdout_pipe.read.get() : -1, POLLIN, 0},
                     {err_open ? stderr_pipe.read.get() : -1, POLLIN, 0},
                     {writing ? stdin_pair.first.get() : -1, POLLOUT, 0}};
    MSB_TRY(poll_fds(fds,
                     static_cast<int>(std::min<uint64_t>((deadline - now) / 1'000'000 + 1, 1000))));
    if (fds[0].revents) out_open = MSB_TRY(drain(stdout_pipe.read.get(), result.out, max_output));
    if (fds[1].revents) err_open = MSB_TRY(drain(stderr_pipe.read.get(), result.err, max_output));
    if (writing && fds[2].revents) {
      Result<size_t> sent = send_some(stdin_pair.first.get(), input);
      if (sent) input.remove_prefix(*sent);
      // EPIPE: the tool closed its stdin; what it prints says the rest.
      if (!sent && sent.error().sys_errno != EAGAIN) input = {};
    }
    if (input.empty()) stdin_pair.first.reset();  // EOF for the tool
  }
  result.status = MSB_TRY(child.wait());
  return result;
}

}  // namespace msb::os
