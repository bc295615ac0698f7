// MSB_DEFER { ... }; runs the block when the enclosing scope exits. For one-offs only;
// resources with a lifetime get an RAII type of their own.
#pragma once

#include <utility>

namespace msb {

template <class F>
class Deferred {
 public:
  explicit Deferred(F fn) : fn_(std::move(fn)) {}
  Deferred(const Deferred&) = delete;
  Deferred& operator=(const Deferred&) = delete;
  ~Deferred() { fn_(); }

 private:
  F fn_;
};

struct DeferTag {};
template <class F>
Deferred<F> operator+(DeferTag, F fn) {
  return Deferred<F>(std::move(fn));
}

}  // namespace msb

#define MSB_DEFER_CONCAT2(a, b) a##b
#define MSB_DEFER_CONCAT(a, b) MSB_DEFER_CONCAT2(a, b)
#define MSB_DEFER auto MSB_DEFER_CONCAT(msb_defer_, __LINE__) = ::msb::DeferTag{} + [&]()
