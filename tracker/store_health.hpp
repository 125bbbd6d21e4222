#pragma once
// Whether the shared swarm store answers, as all tracker threads together see it. Each thread
// has its own connection and reports its changes here; the store counts as available when
// every thread's connection is up. A change is logged once, not once per thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
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

    // Requests sent to the store and not yet answered, over all threads; the connections
    // keep it (RedisOptions::pending_gauge).
    std::atomic<std::int64_t>& pending_gauge() { return pending_; }
    std::int64_t pending() const { return pending_.load(std::memory_order_relaxed); }

    // Waits until the first connections have settled, every one up or one refused (which is
    // when the first state is logged), or until `limit` has passed.
    void wait_settled(std::chrono::milliseconds limit);

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<bool> up_;
    bool logged_ = false;  // whether any state has been logged yet
    std::string description_;
    std::atomic<bool> available_{false};
    std::atomic<std::int64_t> pending_{0};
};

}  // namespace shoal::tracker
