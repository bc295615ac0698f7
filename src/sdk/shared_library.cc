// libmicrosandbox.so is the SDK's archive linked whole (cmake/package.cmake); CMake wants a
// source of its own for a shared library, and this is it. Nothing else belongs here.
