// The create spec (a dict, docs/design/python-sdk.md) as a C++ SandboxBuilder, and a pull
// progress event as the tuple the Python layer turns into a PullEvent.
#pragma once

#include <pybind11/pybind11.h>

#include <string>

#include "microsandbox/image.h"
#include "microsandbox/sandbox.h"

namespace msb_python {

namespace py = pybind11;

// Reads `spec` (with the GIL held). Unknown keys are a programming error of the Python
// layer: TypeError naming the key.
microsandbox::SandboxBuilder builder_from_spec(const std::string& name, const py::dict& spec);

// (stage, reference, manifest_digest, layer, layer_count, bytes, total_bytes).
py::tuple progress_tuple(const microsandbox::PullProgress& progress);

// Wraps a Python callable taking progress_tuple()s as a PullProgressCallback: it takes the
// GIL for each call; what the callable raises is printed and dropped (a pull cannot be
// stopped from its callback).
microsandbox::PullProgressCallback progress_callback(py::object callable);

}  // namespace msb_python
