// uTP's 16-bit sequence numbers: order and distance across the wrap from 0xFFFF to 0.
#include <gtest/gtest.h>

#include "utp/sequence.hpp"

namespace shoal::utp {
namespace {

// The arithmetic is usable at compile time.
static_assert(seq_less(0xfffe, 0xffff));
static_assert(seq_less(0xffff, 0));
static_assert(!seq_less(0, 0xffff));
static_assert(seq_distance(0xfffe, 3) == 5);
static_assert(seq_add(0xffff, 1) == 0);
static_assert(seq_add(0, -1) == 0xffff);

TEST(utp_sequence, OrdersNeighboursAcrossTheWrap) {
    EXPECT_TRUE(seq_less(0xffff, 0x0000));
    EXPECT_TRUE(seq_less(0xfff0, 0x0010));
    EXPECT_FALSE(seq_less(0x0010, 0xfff0));
    EXPECT_FALSE(seq_less(5, 5));
    EXPECT_TRUE(seq_less_equal(5, 5));
    EXPECT_TRUE(seq_less(1, 2));
    EXPECT_FALSE(seq_less(2, 1));
}

TEST(utp_sequence, HalfTheSpaceAheadIsTheLimitOfBefore) {
    EXPECT_TRUE(seq_less(0, 0x7fff));
    EXPECT_FALSE(seq_less(0, 0x8000));  // exactly opposite: neither is before the other
    EXPECT_FALSE(seq_less(0x8000, 0));
    EXPECT_TRUE(seq_less(0x8001, 0));
}

TEST(utp_sequence, DistanceCountsForwardsModulo65536) {
    EXPECT_EQ(seq_distance(0xfff0, 0x0010), 0x20);
    EXPECT_EQ(seq_distance(0x0010, 0xfff0), 0xffe0);
    EXPECT_EQ(seq_distance(7, 7), 0);
    EXPECT_EQ(seq_add(0xfff0, 0x20), 0x0010);
    EXPECT_EQ(seq_add(0x0010, -0x20), 0xfff0);
}

TEST(utp_sequence, RangeIsHalfOpenAndWraps) {
    EXPECT_TRUE(seq_in_range(0xfffe, 0xffff, 0x0002));
    EXPECT_TRUE(seq_in_range(0xfffe, 0x0000, 0x0002));
    EXPECT_TRUE(seq_in_range(0xfffe, 0x0002, 0x0002));
    EXPECT_FALSE(seq_in_range(0xfffe, 0xfffe, 0x0002));
    EXPECT_FALSE(seq_in_range(0xfffe, 0x0003, 0x0002));
}

TEST(utp_sequence, EveryStartingPointOrdersItsSuccessors) {
    // Walking the whole space: each number is before the next 0x7fff and after the previous.
    for (std::uint32_t a = 0; a <= 0xffff; a += 97) {
        const auto s = static_cast<std::uint16_t>(a);
        for (int step : {1, 2, 100, 0x7fff}) {
            const std::uint16_t later = seq_add(s, step);
            ASSERT_TRUE(seq_less(s, later)) << a << " + " << step;
            ASSERT_FALSE(seq_less(later, s)) << a << " + " << step;
            ASSERT_EQ(seq_distance(s, later), step);
        }
    }
}

}  // namespace
}  // namespace shoal::utp
