// The single place where internal Results become the SDK's microsandbox::Error.
#pragma once

#include "common/error.h"
#include "microsandbox/error.h"

namespace msb::sdk {

[[noreturn]] void throw_error(const Error& error);

template <class T>
T value_or_throw(Result<T>&& result) {
  if (!result) throw_error(result.error());
  if constexpr (!std::is_void_v<T>) return std::move(*result);
}

}  // namespace msb::sdk
