// The token bucket behind upload and download limits, with an injected clock.
#include <gtest/gtest.h>

#include "swarm/rate_limiter.hpp"

using namespace shoal;
using namespace std::chrono_literals;

TEST(RateLimiter, UnlimitedNeverWaits) {
    RateLimiter limiter;
    EXPECT_EQ(limiter.reserve(1 << 30), RateLimiter::Clock::duration::zero());
}

TEST(RateLimiter, WaitsInProportionToTheDebt) {
    RateLimiter limiter;
    limiter.set_rate(1000);
    const auto t0 = RateLimiter::Clock::now();
    // Burst: at most a quarter second of tokens, and the bucket starts empty.
    const auto wait = limiter.reserve(500, t0);
    EXPECT_NEAR(std::chrono::duration<double>(wait).count(), 0.5, 0.01);
    // Time that passes pays the debt back.
    const auto later = limiter.reserve(0, t0 + 500ms);
    EXPECT_EQ(later, RateLimiter::Clock::duration::zero());
}

TEST(RateLimiter, BurstIsCapped) {
    RateLimiter limiter;
    limiter.set_rate(1000);
    const auto t0 = RateLimiter::Clock::now();
    limiter.reserve(0, t0);
    // An hour idle earns no more than a quarter second of traffic.
    EXPECT_EQ(limiter.reserve(250, t0 + 1h), RateLimiter::Clock::duration::zero());
    EXPECT_GT(limiter.reserve(100, t0 + 1h), RateLimiter::Clock::duration::zero());
}
