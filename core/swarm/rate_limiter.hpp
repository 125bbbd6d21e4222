#pragma once
// A token bucket for upload or download rate limits, shared by the peers it covers.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>

namespace shoal {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    // 0 bytes per second means unlimited.
    void set_rate(std::int64_t bytes_per_second);
    std::int64_t rate() const { return rate_; }

    // How long to wait before `bytes` may pass; takes the tokens (the bucket may go into
    // debt so large blocks are never starved).
    Clock::duration reserve(std::int64_t bytes, Clock::time_point now = Clock::now());

    // Waits until `bytes` may pass.
    boost::asio::awaitable<void> acquire(std::int64_t bytes);

private:
    std::int64_t rate_ = 0;
    double tokens_ = 0;
    Clock::time_point last_{};
};

}  // namespace shoal
