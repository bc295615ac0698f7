// The pieces of the native module microsandbox._microsandbox, each registered by one
// function. The module is a thin layer over the public C++ SDK (include/microsandbox/):
// blocking calls release the GIL, values cross as plain Python objects (dicts, tuples,
// bytes), and the pure-Python package (python/microsandbox/) builds the public API on top.
// The dict formats are in docs/design/python-sdk.md ("Specs").
#pragma once

#include <pybind11/pybind11.h>

#include "microsandbox/fs.h"

namespace msb_python {

namespace py = pybind11;

void register_errors(py::module_& m);
void register_sandbox(py::module_& m);
void register_exec(py::module_& m);
void register_fs(py::module_& m);
void register_images(py::module_& m);
void register_store(py::module_& m);

// A SandboxFs as the Python object _microsandbox.Fs (GIL held).
py::object fs_object(microsandbox::SandboxFs fs);

// Kills and joins every exec pump still running; called at interpreter exit, before the
// interpreter can no longer take callbacks.
void shutdown_exec_pumps();

}  // namespace msb_python
