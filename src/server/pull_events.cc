#include "server/pull_events.h"

#include <utility>

namespace msb::server {

void PullEvents::push_count(size_t layer, std::string event) {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  if (queued_counts_ >= kMaxQueuedCounts) {
    ++dropped_;
    for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
      if (it->count && it->layer == layer) {
        it->text = std::move(event);  // the newer count says more
        return;
      }
    }
    return;
  }
  events_.push_back(Event{std::move(event), true, layer});
  ++queued_counts_;
  changed_.notify_all();
}

void PullEvents::push(std::string event) {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  events_.push_back(Event{std::move(event)});
  changed_.notify_all();
}

void PullEvents::finish(std::string event) {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  events_.push_back(Event{std::move(event)});
  finished_ = true;
  changed_.notify_all();
}

std::optional<std::string> PullEvents::next(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, wait, [&] { return !events_.empty() || ended_; });
  if (events_.empty()) return std::nullopt;
  Event event = std::move(events_.front());
  events_.pop_front();
  if (event.count) --queued_counts_;
  if (finished_ && events_.empty()) ended_ = true;
  return std::move(event.text);
}

bool PullEvents::ended() const {
  std::lock_guard lock(mutex_);
  return ended_;
}

size_t PullEvents::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace msb::server
