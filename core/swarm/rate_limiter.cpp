#include "swarm/rate_limiter.hpp"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace shoal {

void RateLimiter::set_rate(std::int64_t bytes_per_second) {
    rate_ = std::max<std::int64_t>(0, bytes_per_second);
    tokens_ = 0;
    last_ = Clock::now();
}

RateLimiter::Clock::duration RateLimiter::reserve(std::int64_t bytes, Clock::time_point now) {
    if (rate_ == 0) return Clock::duration::zero();
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    // At most a quarter second of burst.
    tokens_ = std::min(tokens_ + elapsed * static_cast<double>(rate_), static_cast<double>(rate_) / 4);
    tokens_ -= static_cast<double>(bytes);
    if (tokens_ >= 0) return Clock::duration::zero();
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(-tokens_ / static_cast<double>(rate_)));
}

boost::asio::awaitable<void> RateLimiter::acquire(std::int64_t bytes) {
    const auto wait = reserve(bytes);
    if (wait <= Clock::duration::zero()) co_return;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, wait);
    co_await timer.async_wait(boost::asio::use_awaitable);
}

}  // namespace shoal
