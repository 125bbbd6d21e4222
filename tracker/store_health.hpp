#pragma once
// Whether the shared swarm store answers, as all tracker threads together see it. Each thread
// has its own connection and reports its changes here; the store counts as available when
// every thread's connection is up. A change is logged once, not once per thread.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace shoal::tracker {

class StoreHealth {
  public:
    StoreHealth(std::size_t threads, std::string description);

    void report(std::size_t thread, bool up, const std::string& reason);
    bool available() const { return available_.load(std::memory_order_relaxed); }

    // Requests sent to the store and not yet answered, over all threads.
    void add_pending(std::int64_t n) { pending_.fetch_add(n, std::memory_order_relaxed); }
    std::int64_t pending() const { return pending_.load(std::memory_order_relaxed); }

  private:
    std::mutex mutex_;
    std::vector<bool> up_;
    bool logged_ = false;  // whether any state has been logged yet
    std::string description_;
    std::atomic<bool> available_{false};
    std::atomic<std::int64_t> pending_{0};
};

}  // namespace shoal::tracker
