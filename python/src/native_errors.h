// microsandbox::Error crosses into Python as _microsandbox.NativeError(kind, message, errno);
// the pure-Python layer maps the kind to the reference's exception classes by context.
#pragma once

#include <pybind11/pybind11.h>

#include <string>
#include <tuple>

#include "microsandbox/error.h"

namespace msb_python {

namespace py = pybind11;

// (kind name, message, errno) of an SDK error; the same for any other exception (kind
// "internal"), so a pump thread can report whatever its stream threw.
using ErrorTuple = std::tuple<std::string, std::string, int>;
ErrorTuple error_tuple(const microsandbox::Error& error);

}  // namespace msb_python
