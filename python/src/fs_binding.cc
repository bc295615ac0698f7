// _microsandbox.Fs and FileWriter: a sandbox's files. One Fs is one agent connection and
// serves one call at a time (a mutex makes that so); the Python layer keeps a small pool of
// them per sandbox so that concurrent calls do not queue behind a long read.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "bindings.h"
#include "convert.h"
#include "microsandbox/fs.h"

namespace msb_python {

namespace {

using microsandbox::SandboxFs;

class PyFileWriter {
 public:
  explicit PyFileWriter(microsandbox::FileWriter writer) : writer_(std::move(writer)) {}
  void write(std::string_view data) {
    std::lock_guard lock(mutex_);
    if (!writer_) throw py::value_error("write stream closed");
    writer_->write(data);
  }
  uint64_t close() {
    std::lock_guard lock(mutex_);
    if (!writer_) return 0;
    uint64_t written = writer_->close();
    writer_.reset();
    return written;
  }

 private:
  std::mutex mutex_;
  std::optional<microsandbox::FileWriter> writer_;
};

class PyFs {
 public:
  explicit PyFs(SandboxFs fs) : fs_(std::move(fs)) {}

  template <typename Call>
  auto locked(Call call) {
    std::lock_guard lock(mutex_);
    return call(fs_);
  }

 private:
  std::mutex mutex_;
  SandboxFs fs_;
};

template <typename Call>
auto released(PyFs& fs, Call call) {
  py::gil_scoped_release release;
  return fs.locked(call);
}

microsandbox::WriteOptions write_options(uint32_t mode, bool append, bool exclusive) {
  microsandbox::WriteOptions options;
  options.mode = mode;
  options.append = append;
  options.exclusive = exclusive;
  return options;
}

}  // namespace

void register_fs(py::module_& m) {
  py::class_<PyFileWriter, std::shared_ptr<PyFileWriter>>(m, "FileWriter")
      .def("write",
           [](PyFileWriter& writer, py::bytes data) {
             std::string bytes(data);
             py::gil_scoped_release release;
             writer.write(bytes);
           })
      .def("close", &PyFileWriter::close, py::call_guard<py::gil_scoped_release>());

  py::class_<PyFs, std::shared_ptr<PyFs>>(m, "Fs")
      .def(
          "stat",
          [](PyFs& fs, const std::string& path, bool follow) {
            auto stat = released(fs, [&](SandboxFs& f) { return f.stat(path, follow); });
            return file_stat_dict(stat);
          },
          py::arg("path"), py::arg("follow") = true)
      .def("exists",
           [](PyFs& fs, const std::string& path) {
             return released(fs, [&](SandboxFs& f) { return f.exists(path); });
           })
      .def("list",
           [](PyFs& fs, const std::string& path) {
             auto entries = released(fs, [&](SandboxFs& f) { return f.list(path); });
             py::list out;
             for (const auto& entry : entries) out.append(dir_entry_dict(entry));
             return out;
           })
      .def("read",
           [](PyFs& fs, const std::string& path) {
             std::string data = released(fs, [&](SandboxFs& f) { return f.read(path); });
             return py::bytes(data);
           })
      .def("read_stream",
           // `sink` is called with each chunk (bytes), with the GIL taken; it may block to
           // hold the read back (the Python layer bounds its queue that way).
           [](PyFs& fs, const std::string& path, py::function sink) {
             return released(fs, [&](SandboxFs& f) {
               return f.read_stream(path, [&](std::string_view chunk) {
                 py::gil_scoped_acquire gil;
                 sink(py::bytes(chunk.data(), chunk.size()));
               });
             });
           })
      .def(
          "write",
          [](PyFs& fs, const std::string& path, py::bytes data, uint32_t mode, bool append,
             bool exclusive) {
            std::string bytes(data);
            released(fs, [&](SandboxFs& f) {
              f.write(path, bytes, write_options(mode, append, exclusive));
              return 0;
            });
          },
          py::arg("path"), py::arg("data"), py::arg("mode") = 0644, py::arg("append") = false,
          py::arg("exclusive") = false)
      .def(
          "open_write",
          [](PyFs& fs, const std::string& path, uint32_t mode, bool append, bool exclusive) {
            auto writer = released(fs, [&](SandboxFs& f) {
              return f.open_write(path, write_options(mode, append, exclusive));
            });
            return std::make_shared<PyFileWriter>(std::move(writer));
          },
          py::arg("path"), py::arg("mode") = 0644, py::arg("append") = false,
          py::arg("exclusive") = false)
      .def(
          "mkdir",
          [](PyFs& fs, const std::string& path, bool parents, uint32_t mode) {
            released(fs, [&](SandboxFs& f) {
              f.mkdir(path, parents, mode);
              return 0;
            });
          },
          py::arg("path"), py::arg("parents") = false, py::arg("mode") = 0755)
      .def("remove",
           [](PyFs& fs, const std::string& path) {
             released(fs, [&](SandboxFs& f) {
               f.remove(path);
               return 0;
             });
           })
      .def("remove_dir",
           [](PyFs& fs, const std::string& path, bool recursive) {
             released(fs, [&](SandboxFs& f) {
               f.remove_dir(path, recursive);
               return 0;
             });
           })
      .def("rename",
           [](PyFs& fs, const std::string& from, const std::string& to) {
             released(fs, [&](SandboxFs& f) {
               f.rename(from, to);
               return 0;
             });
           })
      .def("copy",
           [](PyFs& fs, const std::string& from, const std::string& to, bool recursive) {
             released(fs, [&](SandboxFs& f) {
               f.copy(from, to, recursive);
               return 0;
             });
           })
      .def("copy_from_host",
           [](PyFs& fs, const std::string& host, const std::string& guest) {
             released(fs, [&](SandboxFs& f) {
               f.copy_from_host(host, guest);
               return 0;
             });
           })
      .def("copy_to_host", [](PyFs& fs, const std::string& guest, const std::string& host) {
        released(fs, [&](SandboxFs& f) {
          f.copy_to_host(guest, host);
          return 0;
        });
      });
}

py::object fs_object(microsandbox::SandboxFs fs) {
  return py::cast(std::make_shared<PyFs>(std::move(fs)));
}

}  // namespace msb_python
