#include "server/sandbox_handles.h"

#include <utility>

namespace msb::server {

SandboxHandles::Lease::~Lease() {
  if (owner_ && handle_) owner_->give_back(name_, std::move(handle_));
}

SandboxHandles::Lease SandboxHandles::borrow(const std::string& name) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    auto it = idle_.find(name);
    while (it != idle_.end() && !it->second.empty()) {
      Idle idle = std::move(it->second.back());
      it->second.pop_back();
      if (now - idle.since <= kMaxIdle) return Lease(this, name, std::move(idle.handle));
    }
  }
  return Lease(this, name,
               std::make_unique<microsandbox::Sandbox>(microsandbox::Sandbox::connect(name)));
}

void SandboxHandles::give_back(const std::string& name,
                               std::unique_ptr<microsandbox::Sandbox> handle) {
  std::lock_guard lock(mutex_);
  std::vector<Idle>& idle = idle_[name];
  if (idle.size() < kMaxIdlePerSandbox)
    idle.push_back(Idle{std::move(handle), std::chrono::steady_clock::now()});
}

void SandboxHandles::forget(const std::string& name) {
  std::lock_guard lock(mutex_);
  idle_.erase(name);
}

}  // namespace msb::server
