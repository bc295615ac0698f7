#include "server/exec_routes.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/base64.h"
#include "server/exec_request.h"
#include "server/json_views.h"

namespace msb::server {

namespace {

using microsandbox::Error;
using microsandbox::ErrorKind;
using nlohmann::json;

ApiResponse no_content() { return ApiResponse{204, "application/json", ""}; }

json output_data(const std::string& data) {
  if (valid_utf8(data)) return {{"data", data}};
  return {{"data_base64", msb::base64_encode(data)}};
}

ApiResponse start_exec(ApiState& state, const ApiRequest& request) {
  ExecRequest exec = parse_exec_request(body_object(request), /*streamed=*/true);
  SandboxHandles::Lease sandbox = state.handles.borrow(request.params.at("name"));
  std::string id;
  try {
    id = state.execs.start(*sandbox, exec.cmd, exec.args, exec.options);
  } catch (const Error&) {
    sandbox.discard();
    throw;
  }
  return ApiResponse{201, "application/json", json{{"id", id}}.dump()};
}

ApiResponse stream_events(ApiState& state, const ApiRequest& request) {
  std::string id = request.params.at("id");
  // 404 (unknown) or 409 (read by another stream) before this stream starts.
  std::shared_ptr<LiveExec> live = state.execs.attach(id);
  ApiResponse response{200, "text/event-stream", ""};
  response.stream = [&state, id, live](const std::function<bool(std::string_view)>& send) {
    using Kind = ExecStreamEvent::Kind;
    for (;;) {
      std::optional<ExecStreamEvent> event = live->next(std::chrono::seconds(15));
      std::string chunk;
      bool last = false;
      if (!event) {
        if (live->ended()) break;
        chunk = ": keep-alive\n\n";  // an SSE comment: finds a vanished client
      } else {
        switch (event->kind) {
          case Kind::kStarted:
            chunk = sse_event("started", {{"pid", event->pid}});
            break;
          case Kind::kStdout:
            chunk = sse_event("stdout", output_data(event->data));
            break;
          case Kind::kStderr:
            chunk = sse_event("stderr", output_data(event->data));
            break;
          case Kind::kExit:
            chunk = sse_event("exit", {{"exit_code", event->exit_code},
                                       {"signal", event->signal},
                                       {"timed_out", event->timed_out}});
            last = true;
            break;
          case Kind::kError:
            chunk = sse_event("error", {{"kind", event->error_kind}, {"message", event->data}});
            last = true;
            break;
        }
      }
      if (!send(chunk)) break;  // the client is gone: the process goes with the session
      if (last) break;
    }
    state.execs.remove(id);
  };
  return response;
}

}  // namespace

void add_exec_routes(Router& router, ApiState& state) {
  router.add("POST", "/v1/sandboxes/{name}/execs", "startExec",
             [&state](const ApiRequest& request) { return start_exec(state, request); });
  router.add("GET", "/v1/execs/{id}/events", "execEvents",
             [&state](const ApiRequest& request) { return stream_events(state, request); });
  router.add("POST", "/v1/execs/{id}/stdin", "execStdin", [&state](const ApiRequest& request) {
    bool eof = query_flag(request, "eof");
    state.execs.get(request.params.at("id"))->write_stdin(request.body, eof);
    return no_content();
  });
  router.add("POST", "/v1/execs/{id}/signal", "execSignal", [&state](const ApiRequest& request) {
    json body = body_object(request);
    if (!body.contains("signal") || !body["signal"].is_number_integer() ||
        body["signal"].get<int>() < 1 || body["signal"].get<int>() > 64)
      throw Error(ErrorKind::kInvalidArgument, "request body: signal: a number from 1 to 64");
    state.execs.get(request.params.at("id"))->signal(body["signal"].get<int>());
    return no_content();
  });
  router.add("POST", "/v1/execs/{id}/resize", "execResize", [&state](const ApiRequest& request) {
    json body = body_object(request);
    uint32_t rows = body.value("rows", 0u), cols = body.value("cols", 0u);
    if (rows == 0 || cols == 0 || rows > 10000 || cols > 10000)
      throw Error(ErrorKind::kInvalidArgument, "request body: rows and cols: 1 to 10000");
    state.execs.get(request.params.at("id"))->resize(rows, cols);
    return no_content();
  });
  router.add("DELETE", "/v1/execs/{id}", "deleteExec", [&state](const ApiRequest& request) {
    state.execs.get(request.params.at("id"));  // 404 for an unknown id
    state.execs.remove(request.params.at("id"));
    return no_content();
  });
}

}  // namespace msb::server
