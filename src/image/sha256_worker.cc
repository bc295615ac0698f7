#include "image/sha256_worker.h"

namespace msb::image {

Sha256Worker::Sha256Worker() : thread_([this] { run(); }) {}

Sha256Worker::~Sha256Worker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

uint64_t Sha256Worker::submit(std::span<const char> data) {
  uint64_t ticket = 0;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(data);
    ticket = ++submitted_;
  }
  changed_.notify_all();
  return ticket;
}

void Sha256Worker::wait_for(uint64_t ticket) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return hashed_ >= ticket; });
}

std::string Sha256Worker::finish() {
  uint64_t last = 0;
  {
    std::lock_guard lock(mutex_);
    last = submitted_;
  }
  wait_for(last);
  return hash_.finish();  // the worker is idle: every submission is hashed
}

void Sha256Worker::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    std::span<const char> data = queue_.front();
    lock.unlock();
    hash_.update(data.data(), data.size());
    lock.lock();
    queue_.pop_front();
    ++hashed_;
    changed_.notify_all();
  }
}

}  // namespace msb::image
