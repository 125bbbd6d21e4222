// LEDBAT and the round trip estimator, driven by recorded delay traces and an injected clock.
#include <gtest/gtest.h>

#include <vector>

#include "utp/ledbat.hpp"

namespace shoal::utp {
namespace {

constexpr std::uint64_t k_ms = 1000;
constexpr std::uint64_t k_s = 1'000'000;

LedbatConfig config() {
    LedbatConfig c;
    c.mss = 1000;
    c.initial_window = 2000;
    c.gain_bytes_per_rtt = 3000;
    return c;
}

// One round trip of acks for a full window: the window's bytes acked a packet at a time,
// each ack bringing the delay sample `delay_us`.
void round_trip(Ledbat& ledbat, std::uint32_t delay_us, std::uint64_t& now_us) {
    const std::size_t window = ledbat.window();
    for (std::size_t acked = 0; acked < window; acked += 1000) {
        ledbat.on_delay_sample(delay_us, now_us);
        ledbat.on_ack(1000, true);
        now_us += 1 * k_ms;
    }
}

TEST(utp_delay_history, BaseIsTheLeastOfThePerMinuteMinima) {
    DelayHistory history(60 * k_s, 2);
    EXPECT_TRUE(history.empty());
    history.add(50'000, 0);
    history.add(40'000, 10 * k_s);
    history.add(70'000, 20 * k_s);
    EXPECT_EQ(history.base(), 40'000u);
    EXPECT_EQ(history.above_base(55'000), 15'000u);
    EXPECT_EQ(history.above_base(30'000), 0u);
    // A minute on: a new interval, the old minimum still counts.
    history.add(90'000, 61 * k_s);
    EXPECT_EQ(history.base(), 40'000u);
    // Two minutes on, the 40 ms minute falls out of the history.
    history.add(95'000, 122 * k_s);
    EXPECT_EQ(history.base(), 90'000u);
}

TEST(utp_delay_history, SamplesWrappingPast32BitsCompareByDistance) {
    // The clocks' offset puts the samples just below 2^32; a later, larger delay wraps.
    DelayHistory history(60 * k_s, 2);
    history.add(0xffff'0000u, 0);
    history.add(0x0000'1000u, 1 * k_s);  // 0x11000 above the first, modulo 2^32
    EXPECT_EQ(history.base(), 0xffff'0000u);
    EXPECT_EQ(history.above_base(0x0000'1000u), 0x11000u);
}

TEST(utp_ledbat, SlowStartDoublesTheWindowEachRoundTripUnderLowDelay) {
    Ledbat ledbat(config());
    std::uint64_t now = 0;
    EXPECT_TRUE(ledbat.slow_start());
    EXPECT_EQ(ledbat.window(), 2000u);
    // While the window is small the linear gain (3000 bytes a round trip) is the larger one,
    // as in libtorrent; beyond about 3000 bytes, each acked byte adds one.
    round_trip(ledbat, 20'000, now);
    EXPECT_EQ(ledbat.window(), 4500u);
    std::size_t previous = ledbat.window();
    for (int i = 0; i < 4; ++i) {
        round_trip(ledbat, 20'000, now);
        EXPECT_GE(ledbat.window(), 2 * previous - 1000) << i;
        previous = ledbat.window();
    }
    EXPECT_GT(ledbat.window(), 64'000u);
    EXPECT_TRUE(ledbat.slow_start());
}

TEST(utp_ledbat, GrowsLinearlyAfterSlowStartWhileBelowTarget) {
    Ledbat ledbat(config());
    std::uint64_t now = 0;
    ASSERT_TRUE(ledbat.on_loss(now, 100 * k_ms));  // leaves slow start at one packet
    EXPECT_FALSE(ledbat.slow_start());
    const std::size_t before = ledbat.window();
    // Constant delay: our_delay is 0, off_target is the whole target, gain 3000 per round trip.
    for (int i = 0; i < 5; ++i)
        round_trip(ledbat, 30'000, now);
    const std::size_t after = ledbat.window();
    EXPECT_GT(after, before + 5 * 2000);
    EXPECT_LT(after, before + 5 * 3000 + 1000);
}

TEST(utp_ledbat, DoesNotGrowAWindowThatWasNotTheLimit) {
    Ledbat ledbat(config());
    ledbat.on_delay_sample(10'000, 0);
    ledbat.on_ack(1000, false);
    EXPECT_EQ(ledbat.window(), 2000u);
}

TEST(utp_ledbat, ShrinksAlongARecordedTraceOfRisingDelay) {
    // One-way delay samples (microseconds), one per round trip, of a link whose queue fills
    // as a competing upload starts: 40 ms of base delay, then up to 260 ms of queuing.
    const std::vector<std::uint32_t> trace{
        41'000,  40'000,  42'000,  40'500,  60'000,  90'000,  120'000, 150'000,
        180'000, 210'000, 240'000, 260'000, 280'000, 300'000, 290'000, 300'000,
        295'000, 300'000, 298'000, 300'000, 299'000, 300'000, 300'000, 300'000,
        300'000, 300'000, 300'000, 300'000, 300'000, 300'000, 300'000, 300'000};
    Ledbat ledbat(config());
    std::uint64_t now = 0;
    std::vector<std::size_t> windows;
    std::size_t first_over_target = trace.size();
    for (std::size_t i = 0; i < trace.size(); ++i) {
        round_trip(ledbat, trace[i], now);
        windows.push_back(ledbat.window());
        if (first_over_target == trace.size() && trace[i] - 40'000 > 100'000)
            first_over_target = i;
    }
    EXPECT_EQ(ledbat.base_delay(), 40'000u);
    EXPECT_EQ(ledbat.our_delay(), 260'000u);
    EXPECT_FALSE(ledbat.slow_start());  // the first delay over 100 ms ended it
    ASSERT_EQ(first_over_target, 7u);
    // Leaving slow start on delay halves the window it overshot with (give or take the
    // round trip's other acks).
    EXPECT_LT(windows[first_over_target], windows[first_over_target - 1] * 6 / 10);
    // The window grew while the queue stayed under the target...
    for (std::size_t i = 1; i < first_over_target; ++i)
        EXPECT_GT(windows[i], windows[i - 1]) << i;
    // ...and fell every round trip after the first one over it (whose first acks still saw
    // the filtered, lower delay), by about the gain each time.
    const std::size_t peak = windows[first_over_target];
    for (std::size_t i = first_over_target + 1; i < windows.size(); ++i)
        EXPECT_LT(windows[i], windows[i - 1]) << i;
    const std::size_t rounds = windows.size() - first_over_target - 1;
    EXPECT_LE(windows.back() + rounds * 2000, peak);
    EXPECT_GE(windows.back() + rounds * 4000, peak);
}

// A round trip as the connection drives it: each ack is followed by the yield check, with
// `rtt_us` as the round trip.
void round_trip_yielding(Ledbat& ledbat, std::uint32_t delay_us, std::uint64_t& now_us,
                         std::uint64_t rtt_us) {
    const std::size_t window = ledbat.window();
    for (std::size_t acked = 0; acked < window; acked += 1000) {
        ledbat.on_delay_sample(delay_us, now_us);
        ledbat.on_ack(1000, true);
        ledbat.yield_to_other_flows(now_us, rtt_us);
        now_us += 1 * k_ms;
    }
}

// Another flow filling the queue far past LEDBAT's target (TCP beside us at a bottleneck):
// the window halves each round trip instead of shrinking by the gain, which at 3,000 bytes
// per round trip would take minutes to step aside from a large window.
TEST(utp_ledbat, HalvesEachRoundTripWhileTheQueueIsFarPastTheTarget) {
    // Out of slow start with a large window, as after a while on a fast link.
    auto settled = [](LedbatConfig c, std::uint64_t& now) {
        Ledbat ledbat(c);
        for (int i = 0; i < 6; ++i)
            round_trip_yielding(ledbat, 40'000, now, 20 * k_ms);
        EXPECT_TRUE(ledbat.on_loss(now, 0));
        for (int i = 0; i < 3; ++i)
            round_trip_yielding(ledbat, 40'000, now, 20 * k_ms);
        return ledbat;
    };
    std::uint64_t now = 0;
    Ledbat ledbat = settled(config(), now);
    const std::size_t before = ledbat.window();
    ASSERT_GE(before, 32'000u);
    // 150 ms over the base is past the target but short of twice it: the slow, linear decrease.
    round_trip_yielding(ledbat, 190'000, now, 20 * k_ms);
    const std::size_t linear = ledbat.window();
    EXPECT_LT(linear, before);
    EXPECT_GT(linear, before * 9 / 10);
    // 300 ms over the base: halved once per 20 ms round trip (a window's acks, a millisecond
    // apart, span several), down to a packet.
    round_trip_yielding(ledbat, 340'000, now, 20 * k_ms);
    EXPECT_LE(ledbat.window(), linear / 2);
    round_trip_yielding(ledbat, 340'000, now, 20 * k_ms);
    round_trip_yielding(ledbat, 340'000, now, 20 * k_ms);
    EXPECT_LE(ledbat.window(), std::max<std::size_t>(linear / 8, config().mss));
    // Switched off, the same queue only brings the linear decrease.
    LedbatConfig off = config();
    off.yield_factor = 0;
    std::uint64_t t = 0;
    Ledbat patient = settled(off, t);
    const std::size_t patient_before = patient.window();
    round_trip_yielding(patient, 340'000, t, 20 * k_ms);
    EXPECT_GT(patient.window(), patient_before * 9 / 10);
}

TEST(utp_ledbat, HoldsStillAtTheTarget) {
    Ledbat ledbat(config());
    std::uint64_t now = 0;
    ledbat.on_delay_sample(50'000, now);
    ASSERT_TRUE(ledbat.on_loss(now, 0));
    for (int i = 0; i < 10; ++i)
        round_trip(ledbat, 50'000, now);
    // Exactly 100 ms of queuing: off_target is zero (once the filter holds only such samples).
    round_trip(ledbat, 150'000, now);
    const std::size_t settled = ledbat.window();
    for (int i = 0; i < 10; ++i)
        round_trip(ledbat, 150'000, now);
    EXPECT_EQ(ledbat.window(), settled);
}

TEST(utp_ledbat, LossHalvesTheWindowOncePerRoundTrip) {
    Ledbat ledbat(config());
    std::uint64_t now = 0;
    for (int i = 0; i < 4; ++i)
        round_trip(ledbat, 10'000, now);
    const std::size_t before = ledbat.window();
    ASSERT_GT(before, 32'000u);
    EXPECT_TRUE(ledbat.on_loss(now, 100 * k_ms));
    EXPECT_EQ(ledbat.window(), before / 2);
    EXPECT_FALSE(ledbat.slow_start());
    // More losses from the same window: no further cut within the round trip.
    EXPECT_FALSE(ledbat.on_loss(now + 50 * k_ms, 100 * k_ms));
    EXPECT_EQ(ledbat.window(), before / 2);
    EXPECT_TRUE(ledbat.on_loss(now + 100 * k_ms, 100 * k_ms));
    EXPECT_EQ(ledbat.window(), before / 2 / 2);
    // Never below one packet.
    for (int i = 1; i < 20; ++i)
        ledbat.on_loss(now + 100 * k_ms * static_cast<std::uint64_t>(i + 1), 100 * k_ms);
    EXPECT_EQ(ledbat.window(), config().mss);
}

TEST(utp_ledbat, TimeoutDropsToOnePacketAndSlowStartsToHalfTheOldWindow) {
    Ledbat ledbat(config());
    std::uint64_t now = 0;
    for (int i = 0; i < 3; ++i)
        round_trip(ledbat, 10'000, now);
    const std::size_t before = ledbat.window();
    ASSERT_GT(before, 16'000u);
    ledbat.on_timeout();
    EXPECT_EQ(ledbat.window(), 1000u);
    EXPECT_TRUE(ledbat.slow_start());
    while (ledbat.slow_start())
        round_trip(ledbat, 10'000, now);
    // Slow start stopped at half the old window (give or take the last round trip's acks).
    EXPECT_GE(ledbat.window(), before / 2);
    EXPECT_LT(ledbat.window(), before);
}

TEST(utp_ledbat, WindowIsCapped) {
    LedbatConfig c = config();
    c.max_window = 50'000;
    Ledbat ledbat(c);
    std::uint64_t now = 0;
    for (int i = 0; i < 20; ++i)
        round_trip(ledbat, 10'000, now);
    EXPECT_EQ(ledbat.window(), 50'000u);
}

TEST(utp_rtt, StartsAtOneSecondAndFollowsBep29sFormulas) {
    RttEstimator rtt;
    EXPECT_FALSE(rtt.has_sample());
    EXPECT_EQ(rtt.rto(), 1 * k_s);
    rtt.on_sample(400 * k_ms);
    EXPECT_EQ(rtt.rtt(), 400 * k_ms);
    EXPECT_EQ(rtt.rtt_var(), 200 * k_ms);
    // delta = 400 - 1200 ms: rtt_var += (800 - 200) / 4, rtt += (1200 - 400) / 8.
    rtt.on_sample(1200 * k_ms);
    EXPECT_EQ(rtt.rtt_var(), 350 * k_ms);
    EXPECT_EQ(rtt.rtt(), 500 * k_ms);
    EXPECT_EQ(rtt.rto(), 500 * k_ms + 4 * 350 * k_ms);
}

TEST(utp_rtt, TimeoutHasAOneSecondFloor) {
    RttEstimator rtt;
    for (int i = 0; i < 50; ++i)
        rtt.on_sample(10 * k_ms);
    EXPECT_LT(rtt.rtt() + 4 * rtt.rtt_var(), 1 * k_s);
    EXPECT_EQ(rtt.rto(), 1 * k_s);
}

TEST(utp_rtt, BackoffDoublesOnEachTimeoutUpToTheCap) {
    // An injected clock: the deadline of each retransmission follows from the last.
    RttEstimator rtt;
    std::uint64_t now = 0;
    std::vector<std::uint64_t> deadlines;
    for (int i = 0; i < 10; ++i) {
        now += rtt.rto();
        deadlines.push_back(now);
        rtt.on_timeout();
    }
    EXPECT_EQ(deadlines[0], 1 * k_s);
    EXPECT_EQ(deadlines[1], 3 * k_s);
    EXPECT_EQ(deadlines[2], 7 * k_s);
    EXPECT_EQ(deadlines[3], 15 * k_s);
    EXPECT_EQ(rtt.rto(), 60 * k_s);  // 1 s << 10 is capped
    rtt.reset_backoff();
    EXPECT_EQ(rtt.rto(), 1 * k_s);
}

TEST(utp_rtt, HugeSamplesDoNotOverflowTheBackoff) {
    RttEstimator rtt;
    rtt.on_sample(std::uint64_t{1} << 50);
    for (int i = 0; i < 40; ++i)
        rtt.on_timeout();
    EXPECT_EQ(rtt.rto(), 60 * k_s);
}

}  // namespace
}  // namespace shoal::utp
