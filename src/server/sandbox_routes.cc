#include "server/sandbox_routes.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "server/create_request.h"
#include "server/exec_request.h"
#include "server/json_views.h"

namespace msb::server {

namespace {

using microsandbox::Error;
using microsandbox::ErrorKind;
using microsandbox::Sandbox;
using nlohmann::json;

constexpr std::chrono::milliseconds kFollowPoll{200};
constexpr std::chrono::seconds kKeepAlive{15};

// An empty body is an empty object; anything else must be a JSON object.
// The sandbox's record after a stop or kill: an ephemeral one is gone by then.
json state_after_stop(const std::string& name) {
  try {
    return sandbox_json(Sandbox::get(name));
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::kNotFound) throw;
    return {{"name", name}, {"status", "removed"}};
  }
}

uint64_t query_number(const ApiRequest& request, const std::string& key, uint64_t fallback) {
  std::string text = request.query_value(key);
  if (text.empty()) return fallback;
  if (text.find_first_not_of("0123456789") != std::string::npos || text.size() > 12)
    throw Error(ErrorKind::kInvalidArgument, "query " + key + ": must be a whole number");
  return std::stoull(text);
}

ApiResponse list_sandboxes(const ApiRequest& request) {
  microsandbox::SandboxListOptions options;
  auto [begin, end] = request.query.equal_range("label");
  for (auto it = begin; it != end; ++it) {
    size_t eq = it->second.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error(ErrorKind::kInvalidArgument, "query label: must be KEY=VALUE");
    options.labels[it->second.substr(0, eq)] = it->second.substr(eq + 1);
  }
  options.limit = static_cast<uint32_t>(
      query_number(request, "limit", microsandbox::SandboxListOptions::kDefaultLimit));
  options.cursor = request.query_value("cursor");
  microsandbox::SandboxPage page = Sandbox::list_page(options);
  json sandboxes = json::array();
  for (const auto& info : page.sandboxes) sandboxes.push_back(sandbox_json(info));
  return json_response(
      200, {{"sandboxes", sandboxes},
            {"next_cursor", page.next_cursor.empty() ? json(nullptr) : json(page.next_cursor)}});
}

ApiResponse exec_once(SandboxHandles& handles, const ApiRequest& request) {
  ExecRequest exec = parse_exec_request(body_object(request), /*streamed=*/false);
  SandboxHandles::Lease sandbox = handles.borrow(request.params.at("name"));
  try {
    return json_response(200, exec_output_json(sandbox->exec(exec.cmd, exec.args, exec.options)));
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::kExecFailed) sandbox.discard();  // stopped, say
    throw;
  }
}

// Whether `name` is still running (or draining, or paused): a removed sandbox is not.
bool still_active(const std::string& name) {
  try {
    microsandbox::SandboxStatus status = Sandbox::get(name).status;
    return status == microsandbox::SandboxStatus::kRunning ||
           status == microsandbox::SandboxStatus::kDraining ||
           status == microsandbox::SandboxStatus::kPaused;
  } catch (const Error&) {
    return false;  // removed (ephemeral)
  }
}

// Sends `entries` as `entry` events in chunks of about 64 KiB; false when the client is gone.
bool send_entries(const std::vector<microsandbox::LogEntry>& entries,
                  const std::function<bool(std::string_view)>& send) {
  std::string chunk;
  for (const auto& entry : entries) {
    chunk += sse_event("entry", log_entry_json(entry));
    if (chunk.size() >= (64u << 10)) {
      if (!send(chunk)) return false;
      chunk.clear();
    }
  }
  return chunk.empty() || send(chunk);
}

// The follow loop of `msb logs -f` (src/cli/logs_command.cc) over the public SDK: poll the
// log files for entries after the last one sent, until the sandbox is no longer active (one
// last read after it stopped catches its final lines) or the client goes away.
void follow(const std::string& name, const Sandbox& sandbox, microsandbox::LogOptions options,
            const std::vector<microsandbox::LogEntry>& first,
            const std::function<bool(std::string_view)>& send) {
  using std::chrono::steady_clock;
  if (!send_entries(first, send)) return;
  std::chrono::system_clock::time_point sent_until{};  // console lines have no time
  for (const auto& entry : first) sent_until = std::max(sent_until, entry.time);
  options.tail.reset();
  steady_clock::time_point last_sent = steady_clock::now();
  for (;;) {
    bool active = still_active(name);
    std::this_thread::sleep_for(kFollowPoll);
    options.since = sent_until + std::chrono::nanoseconds(1);
    std::vector<microsandbox::LogEntry> entries;
    try {
      entries = sandbox.logs(options);
    } catch (const Error& error) {
      send(sse_event("error", {{"kind", microsandbox::error_kind_name(error.kind())},
                               {"message", error.what()}}));
      return;
    }
    // Console lines carry no time: a since-query would return them again each time.
    std::erase_if(entries,
                  [](const auto& entry) { return entry.time.time_since_epoch().count() == 0; });
    if (!entries.empty()) {
      if (!send_entries(entries, send)) return;
      sent_until = entries.back().time;
      last_sent = steady_clock::now();
    } else if (steady_clock::now() - last_sent >= kKeepAlive) {
      if (!send(": keep-alive\n\n")) return;  // an SSE comment: finds a vanished client
      last_sent = steady_clock::now();
    }
    if (!active) break;
  }
  send(sse_event("end", json::object()));
}

ApiResponse logs(const ApiRequest& request) {
  microsandbox::LogOptions options;
  std::string tail = request.query_value("tail");
  if (!tail.empty()) options.tail = query_number(request, "tail", 0);
  bool follows = query_flag(request, "follow");
  // connect() is the 404 for an unknown sandbox.
  const std::string& name = request.params.at("name");
  auto sandbox = std::make_shared<Sandbox>(Sandbox::connect(name));
  std::vector<microsandbox::LogEntry> entries = sandbox->logs(options);
  if (!follows) {
    json out = json::array();
    for (const auto& entry : entries) out.push_back(log_entry_json(entry));
    return json_response(200, {{"entries", out}});
  }
  ApiResponse response{200, "text/event-stream", ""};
  response.stream = [name, sandbox, options, entries = std::move(entries)](
                        const std::function<bool(std::string_view)>& send) {
    follow(name, *sandbox, options, entries, send);
  };
  return response;
}

}  // namespace

void AttachedSandboxes::keep(Sandbox sandbox) {
  std::string name = sandbox.name();
  std::lock_guard lock(mutex_);
  sandboxes_[name] = std::make_unique<Sandbox>(std::move(sandbox));
}

void AttachedSandboxes::forget(const std::string& name) {
  std::unique_ptr<Sandbox> handle;
  {
    std::lock_guard lock(mutex_);
    auto it = sandboxes_.find(name);
    if (it == sandboxes_.end()) return;
    handle = std::move(it->second);
    sandboxes_.erase(it);
  }
  if (handle) handle->detach();  // it was stopped or removed through the API already
}

void AttachedSandboxes::stop_all(std::chrono::milliseconds timeout) {
  std::map<std::string, std::unique_ptr<Sandbox>> sandboxes;
  {
    std::lock_guard lock(mutex_);
    sandboxes.swap(sandboxes_);
  }
  for (auto& [name, sandbox] : sandboxes) {
    try {
      sandbox->stop_and_wait(timeout);
    } catch (const Error&) {
      // Gone or stopped already: nothing left to stop.
    }
  }
}

size_t AttachedSandboxes::size() const {
  std::lock_guard lock(mutex_);
  return sandboxes_.size();
}

void add_sandbox_routes(Router& router, ApiState& state) {
  AttachedSandboxes& attached = state.attached;
  router.add("GET", "/v1/sandboxes", "listSandboxes", list_sandboxes);
  router.add("POST", "/v1/sandboxes", "createSandbox",
             [&state, &attached](const ApiRequest& request) {
               CreateRequest create = parse_create_request(body_object(request));
               Sandbox sandbox =
                   create.attached ? create.builder.create() : create.builder.create_detached();
               state.handles.forget(create.name);  // a replaced sandbox's handles
               json info = sandbox_json(Sandbox::get(create.name));
               if (create.attached) attached.keep(std::move(sandbox));
               return json_response(201, info);
             });
  router.add("GET", "/v1/sandboxes/{name}", "getSandbox", [](const ApiRequest& request) {
    return json_response(200, sandbox_json(Sandbox::get(request.params.at("name"))));
  });
  router.add("DELETE", "/v1/sandboxes/{name}", "removeSandbox",
             [&state, &attached](const ApiRequest& request) {
               const std::string& name = request.params.at("name");
               Sandbox::remove(name);
               state.forget(name);
               return ApiResponse{204, "application/json", ""};
             });
  router.add("POST", "/v1/sandboxes/{name}/start", "startSandbox",
             [&state, &attached](const ApiRequest& request) {
               json body = body_object(request);
               bool attach = body.value("attached", false);
               const std::string& name = request.params.at("name");
               Sandbox sandbox = attach ? Sandbox::start(name) : Sandbox::start_detached(name);
               json info = sandbox_json(Sandbox::get(name));
               if (attach) attached.keep(std::move(sandbox));
               return json_response(200, info);
             });
  router.add("POST", "/v1/sandboxes/{name}/stop", "stopSandbox",
             [&state, &attached](const ApiRequest& request) {
               json body = body_object(request);
               const std::string& name = request.params.at("name");
               auto timeout = std::chrono::milliseconds(body.value("timeout_ms", 10000));
               Sandbox::connect(name).stop_and_wait(timeout);
               state.forget(name);
               return json_response(200, state_after_stop(name));
             });
  router.add("POST", "/v1/sandboxes/{name}/kill", "killSandbox",
             [&state, &attached](const ApiRequest& request) {
               const std::string& name = request.params.at("name");
               Sandbox::connect(name).kill();
               state.forget(name);
               return json_response(200, state_after_stop(name));
             });
  router.add("POST", "/v1/sandboxes/{name}/drain", "drainSandbox", [](const ApiRequest& request) {
    Sandbox::connect(request.params.at("name")).drain();
    return json_response(202, json::object());
  });
  router.add("GET", "/v1/sandboxes/{name}/logs", "sandboxLogs", logs);
  router.add("POST", "/v1/sandboxes/{name}/exec", "execOnce",
             [&state](const ApiRequest& request) { return exec_once(state.handles, request); });
}

}  // namespace msb::server
