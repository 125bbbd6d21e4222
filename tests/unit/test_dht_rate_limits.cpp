// Admission limits of the DHT socket: per-source queries per second, and the send budget.

#include <gtest/gtest.h>

#include "discovery/dht/rate_limits.hpp"

namespace shoal::dht {
namespace {

using namespace std::chrono_literals;

Address ip(unsigned host) {
    return boost::asio::ip::make_address_v4(0x7f000000u + host);
}

TEST(dht_rate_limits, QueriesPerSourcePerSecond) {
    SourceLimiter limiter(3, 100);
    const TimePoint t = TimePoint{} + 10s;
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(limiter.allow(ip(1), t));
    EXPECT_FALSE(limiter.allow(ip(1), t + 100ms));
    // Another source has its own allowance.
    EXPECT_TRUE(limiter.allow(ip(2), t + 100ms));
    // The next second starts afresh.
    EXPECT_TRUE(limiter.allow(ip(1), t + 1001ms));
}

TEST(dht_rate_limits, ManySourcesAreBounded) {
    SourceLimiter limiter(3, 10);
    const TimePoint t = TimePoint{} + 10s;
    for (unsigned i = 0; i < 10; ++i)
        EXPECT_TRUE(limiter.allow(ip(i), t));
    EXPECT_FALSE(limiter.allow(ip(99), t));
    EXPECT_TRUE(limiter.allow(ip(3), t));
    EXPECT_TRUE(limiter.allow(ip(99), t + 2s));
}

TEST(dht_rate_limits, SendBudgetRefillsOverTime) {
    PacketBudget budget(100);
    const TimePoint t = TimePoint{} + 10s;
    int sent = 0;
    while (budget.take(t))
        ++sent;
    EXPECT_EQ(sent, 100);
    EXPECT_FALSE(budget.take(t + 5ms));
    EXPECT_TRUE(budget.take(t + 20ms));
    // Idle time does not bank more than one second's worth.
    sent = 0;
    while (budget.take(t + 60s))
        ++sent;
    EXPECT_EQ(sent, 100);
}

}  // namespace
}  // namespace shoal::dht
