// microsandbox._microsandbox: the native half of the Python SDK (see bindings.h).
#include "bindings.h"

PYBIND11_MODULE(_microsandbox, m) {
  m.doc() = "Native bindings of the microsandbox C++ SDK; use the microsandbox package.";
  m.attr("__version__") = MSB_VERSION;
  msb_python::register_errors(m);
  msb_python::register_exec(m);
  msb_python::register_fs(m);
  msb_python::register_sandbox(m);
  msb_python::register_images(m);
  msb_python::register_store(m);
}
