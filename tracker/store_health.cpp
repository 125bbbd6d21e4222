#include "tracker/store_health.hpp"

#include <algorithm>

#include "tracker/log.hpp"

namespace shoal::tracker {

StoreHealth::StoreHealth(std::size_t threads, std::string description)
    : up_(threads, false), description_(std::move(description)) {}

void StoreHealth::report(std::size_t thread, bool up, const std::string& reason) {
    std::lock_guard lock(mutex_);
    if (thread < up_.size())
        up_[thread] = up;
    const bool all_up = std::all_of(up_.begin(), up_.end(), [](bool b) { return b; });
    const bool was = available_.load(std::memory_order_relaxed);
    if (logged_ && all_up == was)
        return;
    if (!logged_ && !all_up && up)
        return;  // still connecting at start: say nothing until it settles either way
    logged_ = true;
    available_.store(all_up, std::memory_order_relaxed);
    changed_.notify_all();
    if (all_up) {
        log_event(LogLevel::info, "store_available", {{"store", description_}});
    } else {
        log_event(LogLevel::warn, "store_unavailable",
                  {{"store", description_}, {"reason", reason}});
    }
}

}  // namespace shoal::tracker

namespace shoal::tracker {

void StoreHealth::wait_settled(std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, limit, [this] { return logged_; });
}

}  // namespace shoal::tracker
