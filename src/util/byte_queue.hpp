// A bounded queue of byte chunks between two threads: one producer, one consumer. Memory stays
// flat because the producer waits while the queue is full.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>

namespace migsafe::util {

// Thrown to the consumer when the producer aborted.
struct QueueAborted : std::runtime_error {
  QueueAborted() : std::runtime_error("input aborted") {}
};

// Chunks of bytes in order; close() marks the end, abort() makes the consumer fail.
class ByteQueue {
 public:
  explicit ByteQueue(size_t max_chunks = 16) : max_chunks_(max_chunks) {}

  // Appends a copy of `bytes`, waiting while the queue is full.
  void push(std::string_view bytes) {
    std::unique_lock<std::mutex> lock(mutex_);
    space_.wait(lock, [&] { return chunks_.size() < max_chunks_ || aborted_; });
    chunks_.emplace_back(bytes);
    ready_.notify_one();
  }
  // No more chunks will come.
  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    ready_.notify_all();
  }
  // The consumer's next read throws QueueAborted.
  void abort() {
    std::lock_guard<std::mutex> lock(mutex_);
    aborted_ = true;
    ready_.notify_all();
    space_.notify_all();
  }
  // Copies up to `capacity` bytes into `buffer`; 0 means the end. Waits for data.
  size_t pop(char* buffer, size_t capacity) {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [&] { return !chunks_.empty() || closed_ || aborted_; });
    if (aborted_) throw QueueAborted();
    if (chunks_.empty()) return 0;
    std::string& front = chunks_.front();
    size_t n = std::min(capacity, front.size() - offset_);
    front.copy(buffer, n, offset_);
    offset_ += n;
    if (offset_ == front.size()) {
      chunks_.pop_front();
      offset_ = 0;
      space_.notify_one();
    }
    return n;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  std::deque<std::string> chunks_;
  size_t offset_ = 0;
  size_t max_chunks_;
  bool closed_ = false, aborted_ = false;
};

}  // namespace migsafe::util
