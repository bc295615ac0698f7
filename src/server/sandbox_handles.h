// SandboxHandles: connected Sandbox handles kept for reuse by the exec routes. A fresh
// Sandbox::connect() reads the store and the sandbox's config (≈ 1 ms on the namespace
// engine, as much as the exec itself); a kept handle has both. Handles are not thread-safe,
// so each request borrows one of its own. A handle idle for more than kMaxIdle is dropped,
// and the lifecycle routes drop a sandbox's handles at once, so a config changed through the
// CLI (msb modify, then start) is picked up within kMaxIdle.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "microsandbox/sandbox.h"

namespace msb::server {

class SandboxHandles {
 public:
  static constexpr std::chrono::milliseconds kMaxIdle{1000};
  static constexpr size_t kMaxIdlePerSandbox = 8;

  // A handle on sandbox `name`: returned to the pool when the Lease goes. Errors: those of
  // Sandbox::connect (kNotFound).
  class Lease {
   public:
    Lease(SandboxHandles* owner, std::string name, std::unique_ptr<microsandbox::Sandbox> handle)
        : owner_(owner), name_(std::move(name)), handle_(std::move(handle)) {}
    Lease(Lease&&) = default;
    ~Lease();
    microsandbox::Sandbox& operator*() { return *handle_; }
    microsandbox::Sandbox* operator->() { return handle_.get(); }
    // The handle failed (the sandbox stopped, say): do not reuse it.
    void discard() { handle_.reset(); }

   private:
    SandboxHandles* owner_;
    std::string name_;
    std::unique_ptr<microsandbox::Sandbox> handle_;
  };

  Lease borrow(const std::string& name);
  // Drops the idle handles of `name` (after a stop, start, kill or remove).
  void forget(const std::string& name);

 private:
  struct Idle {
    std::unique_ptr<microsandbox::Sandbox> handle;
    std::chrono::steady_clock::time_point since;
  };
  void give_back(const std::string& name, std::unique_ptr<microsandbox::Sandbox> handle);

  std::mutex mutex_;
  std::map<std::string, std::vector<Idle>> idle_;
};

}  // namespace msb::server
