#include "runtime/foreground_run.h"

#include <signal.h>

#include <cerrno>

#include "os/clock.h"
#include "os/io.h"
#include "protocol/flow_control.h"
#include "runtime/agent_session.h"
#include "runtime/rootfs_patches.h"
#include "runtime/sandbox_launch.h"
#include "runtime/sandbox_network.h"

namespace msb::runtime {
namespace {

constexpr uint32_t kExecSessionId = 1;
constexpr size_t kReportLines = 25;
constexpr std::chrono::hours kNoCommandTimeout{24 * 365};

// A sandbox that dies mid-command is reported like a failed boot: with the guest's side.
Error with_report(Error error, const engine::Instance& instance) {
  if (error.kind == ErrorKind::kBootFailed)
    error.message += "\n" + instance.failure_report(kReportLines);
  return error;
}

// Streams the session's output until it ends; returns how the process ended. Output is
// acknowledged once written out, so a slow reader of our stdout holds the process back.
Result<os::ExitStatus> stream_exec(AgentSession& session, const ForegroundRunRequest& request,
                                   const protocol::CoreReady& ready) {
  MSB_TRY(session.connection().send(kExecSessionId, protocol::kFlagSessionStart, request.exec));
  protocol::AckBatch acks(ready.output_window != 0 ? ready.output_window
                                                   : protocol::kOutputWindowBytes);
  for (;;) {
    protocol::Envelope envelope = MSB_TRY(session.next(kNoCommandTimeout));
    if (envelope.id != kExecSessionId) continue;
    const protocol::Message& message = envelope.message;
    if (auto* out = std::get_if<protocol::ExecStdout>(&message)) {
      MSB_TRY(forward_output(request.stdout_fd, out->data.data, "stdout"));
    } else if (auto* out = std::get_if<protocol::ExecStderr>(&message)) {
      MSB_TRY(forward_output(request.stderr_fd, out->data.data, "stderr"));
    } else if (auto* exited = std::get_if<protocol::ExecExited>(&message)) {
      return os::ExitStatus{exited->code, exited->signal};
    } else if (auto* failed = std::get_if<protocol::ExecFailed>(&message)) {
      return make_error(ErrorKind::kExecFailed, failed->message, failed->errno_value);
    } else if (auto* error = std::get_if<protocol::CoreError>(&message)) {
      return err(ErrorKind::kProtocol, "agent rejected the request: {}", error->message);
    }
    acks.consume(protocol::flow_cost(message));
    if (uint64_t bytes = acks.take())
      MSB_TRY(session.connection().send(kExecSessionId, 0, protocol::CoreAck{bytes}));
  }
}

Result<ForegroundRunResult> run_in(AgentSession& session, const engine::Instance& instance,
                                   const ForegroundRunRequest& request, uint64_t launched_ns) {
  ForegroundRunResult result;
  result.engine = instance.describe();
  protocol::CoreReady ready = MSB_TRY(await_ready(session, instance, request.boot_timeout));
  result.timings.launch_to_ready_ns = os::monotonic_ns() - launched_ns;
  result.timings.kernel_boot_ns = ready.kernel_boot_ns;
  result.timings.agent_init_ns = ready.agent_init_ns;
  result.timings.agent_steps_ns = ready.init_steps_ns;
  SessionPatchChannel patches(session, request.boot_timeout);
  Result<void> patched = apply_patches(patches, request.patches);
  if (!patched) return tl::unexpected(with_report(patched.error(), instance));
  uint64_t exec_started = os::monotonic_ns();
  Result<os::ExitStatus> status = stream_exec(session, request, ready);
  if (!status) return tl::unexpected(with_report(status.error(), instance));
  result.status = *status;
  result.timings.exec_ns = os::monotonic_ns() - exec_started;
  return result;
}

// Asks the agent to sync, unmount and power off; kills the engine if it does not.
void shut_down(AgentSession& session, engine::Instance& instance,
               std::chrono::milliseconds timeout) {
  Result<std::optional<os::ExitStatus>> done = instance.wait_for(std::chrono::milliseconds(0));
  if (done && *done) return;
  if (session.connection().send(0, protocol::kFlagShutdown, protocol::CoreShutdown{}) &&
      session.connection().flush_all(1000)) {
    done = instance.wait_for(timeout);
    if (done && *done) return;
  }
  (void)instance.kill();
}

}  // namespace

Result<ForegroundRunResult> foreground_run(engine::Engine& engine,
                                           const ForegroundRunRequest& request,
                                           os::SignalFd& interrupts) {
  uint64_t launched = os::monotonic_ns();
  StepTimings steps;
  engine::LaunchSpec spec = request.launch;
  spec.timings = &steps;
  std::unique_ptr<net::UserNetwork> network = MSB_TRY(prepare_network(request.network));
  std::unique_ptr<engine::Instance> instance = MSB_TRY(engine.launch(spec));
  MSB_TRY(connect_network(network.get(), *instance));
  protocol::FrameConnection connection =
      MSB_TRY(protocol::FrameConnection::create(instance->take_agent_channel()));
  AgentSession session(std::move(connection), instance->exit_fd(), &interrupts);
  Result<ForegroundRunResult> result = run_in(session, *instance, request, launched);
  bool interrupted = !result && result.error().kind == ErrorKind::kCancelled;
  uint64_t shutdown_started = os::monotonic_ns();
  shut_down(session, *instance,
            interrupted ? std::chrono::milliseconds(2000) : request.shutdown_timeout);
  if (!result) return tl::unexpected(result.error());
  result->timings.shutdown_ns = os::monotonic_ns() - shutdown_started;
  result->timings.host_steps_ns = steps.steps();
  return result;
}

}  // namespace msb::runtime
