#pragma once
// A value replaced as a whole (access lists on SIGHUP) and read by many threads: readers
// keep their own reference and look at one atomic generation per request.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

namespace shoal::tracker {

template <class T>
class SharedSnapshot {
  public:
    explicit SharedSnapshot(std::shared_ptr<const T> value) : value_(std::move(value)) {}

    void publish(std::shared_ptr<const T> value) {
        std::lock_guard lock(mutex_);
        value_ = std::move(value);
        generation_.fetch_add(1, std::memory_order_release);
    }
    std::shared_ptr<const T> get() const {
        std::lock_guard lock(mutex_);
        return value_;
    }
    std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const T> value_;
    std::atomic<std::uint64_t> generation_{1};
};

// One thread's view of a SharedSnapshot.
template <class T>
class SnapshotReader {
  public:
    explicit SnapshotReader(const SharedSnapshot<T>& source) : source_(source) {}
    const T& get() {
        const auto g = source_.generation();
        if (g != generation_) {
            value_ = source_.get();
            generation_ = g;
        }
        return *value_;
    }

  private:
    const SharedSnapshot<T>& source_;
    std::shared_ptr<const T> value_;
    std::uint64_t generation_ = 0;
};

}  // namespace shoal::tracker
