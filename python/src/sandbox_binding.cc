// _microsandbox.Sandbox: a C++ Sandbox handle shared by the threads of the Python layer's
// pool. The C++ handle is not thread-safe: the calls that touch its state (exec and fs
// setup, which read its config once, detach, remove_persisted, attach) take a mutex; the
// lifecycle calls (stop, kill, drain, wait) only name the sandbox and run concurrently.
#include <pybind11/stl.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bindings.h"
#include "convert.h"
#include "create_spec.h"
#include "exec_pump.h"
#include "microsandbox/sandbox.h"

namespace msb_python {

namespace {

using microsandbox::Sandbox;

template <typename T>
T get(const py::dict& dict, const char* key, T fallback) {
  return dict.contains(key) && !dict[key].is_none() ? dict[key].cast<T>() : fallback;
}

microsandbox::ExecOptions exec_options(const py::dict& spec) {
  microsandbox::ExecOptions options;
  options.env = get<std::vector<std::pair<std::string, std::string>>>(spec, "env", {});
  options.cwd = get<std::string>(spec, "cwd", "");
  options.user = get<std::string>(spec, "user", "");
  if (spec.contains("timeout_ms") && !spec["timeout_ms"].is_none())
    options.timeout = std::chrono::milliseconds(spec["timeout_ms"].cast<int64_t>());
  options.tty = get<bool>(spec, "tty", false);
  options.rows = get<uint32_t>(spec, "rows", 24);
  options.cols = get<uint32_t>(spec, "cols", 80);
  std::string stdin_mode = get<std::string>(spec, "stdin", "null");
  if (stdin_mode == "pipe") {
    options.stdin_stream = true;
  } else if (stdin_mode == "bytes") {
    options.stdin_data = std::string(spec["stdin_data"].cast<py::bytes>());
  } else if (stdin_mode != "null") {
    throw py::value_error("unknown stdin mode: " + stdin_mode);
  }
  if (spec.contains("rlimits") && !spec["rlimits"].is_none()) {
    for (auto item : spec["rlimits"]) {
      py::dict limit = item.cast<py::dict>();
      microsandbox::Rlimit rlimit;
      rlimit.resource = limit["resource"].cast<std::string>();
      rlimit.soft = get<std::optional<uint64_t>>(limit, "soft", std::nullopt);
      rlimit.hard_given = limit.contains("hard");
      rlimit.hard = get<std::optional<uint64_t>>(limit, "hard", std::nullopt);
      options.rlimits.push_back(std::move(rlimit));
    }
  }
  return options;
}

}  // namespace

class PySandbox {
 public:
  explicit PySandbox(Sandbox sandbox) : sandbox_(std::move(sandbox)), name_(sandbox_.name()) {}

  const std::string& name() const { return name_; }

  // Returns at once: the pump's thread starts the process (exec_pump.h).
  static std::shared_ptr<ExecPump> exec_start(const std::shared_ptr<PySandbox>& self,
                                              const py::dict& spec, py::object on_event,
                                              bool collect) {
    std::string cmd = spec["cmd"].cast<std::string>();
    std::vector<std::string> args = get<std::vector<std::string>>(spec, "args", {});
    microsandbox::ExecOptions options = exec_options(spec);
    auto start = [self, cmd = std::move(cmd), args = std::move(args),
                  options = std::move(options)]() {
      std::lock_guard lock(self->mutex_);
      return self->sandbox_.exec_stream(cmd, args, options);
    };
    auto pump = std::make_shared<ExecPump>(std::move(start), std::move(on_event), collect);
    pump->start();
    return pump;
  }

  microsandbox::SandboxFs fs() {
    std::lock_guard lock(mutex_);
    return sandbox_.fs();
  }

  py::tuple attach(const std::string& cmd, const std::vector<std::string>& args,
                   const py::dict& spec) {
    microsandbox::AttachOptions options;
    options.env = get<std::vector<std::pair<std::string, std::string>>>(spec, "env", {});
    options.cwd = get<std::string>(spec, "cwd", "");
    options.user = get<std::string>(spec, "user", "");
    options.detach_keys = get<std::string>(spec, "detach_keys", "ctrl-]");
    if (spec.contains("tty") && !spec["tty"].is_none()) options.tty = spec["tty"].cast<bool>();
    microsandbox::AttachResult result;
    {
      py::gil_scoped_release release;
      std::lock_guard lock(mutex_);
      result = sandbox_.attach(cmd, args, options);
    }
    return py::make_tuple(result.detached, result.exit_code, result.signal, result.status());
  }

  void stop() { sandbox_.stop(); }
  void stop_and_wait(int64_t timeout_ms) {
    sandbox_.stop_and_wait(std::chrono::milliseconds(timeout_ms));
  }
  void kill() { sandbox_.kill(); }
  void drain() { sandbox_.drain(); }
  microsandbox::SandboxInfo wait() { return sandbox_.wait(); }
  void detach() {
    std::lock_guard lock(mutex_);
    sandbox_.detach();
  }
  bool owns_lifecycle() {
    std::lock_guard lock(mutex_);
    return sandbox_.owns_lifecycle();
  }
  std::string status() { return microsandbox::status_name(sandbox_.status()); }
  std::vector<microsandbox::LogEntry> logs(const microsandbox::LogOptions& options) {
    return sandbox_.logs(options);
  }
  void remove_persisted() {
    std::lock_guard lock(mutex_);
    sandbox_.remove_persisted();
  }

 private:
  std::mutex mutex_;
  Sandbox sandbox_;
  std::string name_;
};

namespace {

microsandbox::LogOptions log_options(std::optional<size_t> tail, std::optional<double> since_ms,
                                     std::optional<double> until_ms,
                                     const std::vector<std::string>& sources) {
  using namespace std::chrono;
  microsandbox::LogOptions options;
  options.tail = tail;
  auto at = [](double ms) {
    return system_clock::time_point(
        duration_cast<system_clock::duration>(duration<double, std::milli>(ms)));
  };
  if (since_ms) options.since = at(*since_ms);
  if (until_ms) options.until = at(*until_ms);
  for (const std::string& source : sources) {
    if (source == "exec")
      options.sources.push_back(microsandbox::LogSource::kExec);
    else if (source == "runtime")
      options.sources.push_back(microsandbox::LogSource::kRuntime);
    else if (source == "console")
      options.sources.push_back(microsandbox::LogSource::kConsole);
    else
      throw py::value_error("unknown log source: " + source);
  }
  return options;
}

std::shared_ptr<PySandbox> create(const std::string& name, const py::dict& spec,
                                  py::object on_progress) {
  microsandbox::SandboxBuilder builder = builder_from_spec(name, spec);
  builder.on_pull_progress(progress_callback(std::move(on_progress)));
  py::gil_scoped_release release;
  return std::make_shared<PySandbox>(builder.create());
}

}  // namespace

void register_sandbox(py::module_& m) {
  py::class_<PySandbox, std::shared_ptr<PySandbox>>(m, "Sandbox")
      .def_property_readonly("name", &PySandbox::name)
      .def("exec_start", &PySandbox::exec_start, py::arg("spec"), py::arg("on_event"),
           py::arg("collect") = false)
      .def("fs",
           [](PySandbox& sandbox) {
             std::optional<microsandbox::SandboxFs> fs;
             {
               py::gil_scoped_release release;
               fs.emplace(sandbox.fs());
             }
             return fs_object(std::move(*fs));
           })
      .def("attach", &PySandbox::attach)
      .def("stop", &PySandbox::stop, py::call_guard<py::gil_scoped_release>())
      .def("stop_and_wait", &PySandbox::stop_and_wait, py::call_guard<py::gil_scoped_release>())
      .def("kill", &PySandbox::kill, py::call_guard<py::gil_scoped_release>())
      .def("drain", &PySandbox::drain, py::call_guard<py::gil_scoped_release>())
      .def("wait",
           [](PySandbox& sandbox) {
             microsandbox::SandboxInfo info;
             {
               py::gil_scoped_release release;
               info = sandbox.wait();
             }
             return sandbox_info_dict(info);
           })
      .def("detach", &PySandbox::detach, py::call_guard<py::gil_scoped_release>())
      .def("owns_lifecycle", &PySandbox::owns_lifecycle, py::call_guard<py::gil_scoped_release>())
      .def("status", &PySandbox::status, py::call_guard<py::gil_scoped_release>())
      .def(
          "logs",
          [](PySandbox& sandbox, std::optional<size_t> tail, std::optional<double> since_ms,
             std::optional<double> until_ms, const std::vector<std::string>& sources) {
            microsandbox::LogOptions options = log_options(tail, since_ms, until_ms, sources);
            std::vector<microsandbox::LogEntry> entries;
            {
              py::gil_scoped_release release;
              entries = sandbox.logs(options);
            }
            py::list out;
            for (const auto& entry : entries) {
              out.append(py::make_tuple(epoch_ms(entry.time), log_source_name(entry.source),
                                        entry.stream, entry.session, py::bytes(entry.text)));
            }
            return out;
          },
          py::arg("tail") = py::none(), py::arg("since_ms") = py::none(),
          py::arg("until_ms") = py::none(), py::arg("sources") = std::vector<std::string>{})
      .def("remove_persisted", &PySandbox::remove_persisted,
           py::call_guard<py::gil_scoped_release>());

  m.def("create", &create, py::arg("name"), py::arg("spec"), py::arg("on_progress") = py::none());
  m.def("start", [](const std::string& name, bool detached) {
    py::gil_scoped_release release;
    return std::make_shared<PySandbox>(detached ? Sandbox::start_detached(name)
                                                : Sandbox::start(name));
  });
  m.def("connect", [](const std::string& name) {
    py::gil_scoped_release release;
    return std::make_shared<PySandbox>(Sandbox::connect(name));
  });
  m.def("get_sandbox", [](const std::string& name) {
    microsandbox::SandboxInfo info;
    {
      py::gil_scoped_release release;
      info = Sandbox::get(name);
    }
    return sandbox_info_dict(info);
  });
  m.def("list_sandboxes", [](const std::map<std::string, std::string>& labels, uint32_t limit,
                             const std::string& cursor) {
    microsandbox::SandboxListOptions options;
    options.labels = labels;
    options.limit = limit;
    options.cursor = cursor;
    microsandbox::SandboxPage page;
    {
      py::gil_scoped_release release;
      page = Sandbox::list_page(options);
    }
    py::list sandboxes;
    for (const auto& info : page.sandboxes) sandboxes.append(sandbox_info_dict(info));
    return py::make_tuple(sandboxes, page.next_cursor);
  });
  m.def("remove_sandbox", &Sandbox::remove, py::call_guard<py::gil_scoped_release>());
  m.def("grow_root_disk", &Sandbox::grow_root_disk, py::call_guard<py::gil_scoped_release>());
}

}  // namespace msb_python
