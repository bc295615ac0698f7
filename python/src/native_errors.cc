#include "native_errors.h"

#include "bindings.h"

namespace msb_python {

ErrorTuple error_tuple(const microsandbox::Error& error) {
  return {microsandbox::error_kind_name(error.kind()), error.what(), error.sys_errno()};
}

void register_errors(py::module_& m) {
  static py::exception<microsandbox::Error> native_error(m, "NativeError");
  py::register_exception_translator([](std::exception_ptr pointer) {
    if (!pointer) return;
    try {
      std::rethrow_exception(pointer);
    } catch (const microsandbox::Error& error) {
      auto [kind, message, sys_errno] = error_tuple(error);
      PyErr_SetObject(native_error.ptr(), py::make_tuple(kind, message, sys_errno).ptr());
    }
  });
}

}  // namespace msb_python
