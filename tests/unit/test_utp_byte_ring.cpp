// The byte FIFO beneath uTP's send and read queues: order kept across the wrap, capacity held.
#include <gtest/gtest.h>

#include <numeric>

#include "utp/byte_ring.hpp"

namespace shoal::utp {
namespace {

std::vector<std::uint8_t> counting(std::size_t n, std::uint8_t from) {
    std::vector<std::uint8_t> out(n);
    std::iota(out.begin(), out.end(), from);
    return out;
}

TEST(ByteRing, KeepsOrderAcrossTheWrap) {
    ByteRing ring(10);
    EXPECT_EQ(ring.push(counting(7, 0)), 7u);
    std::vector<std::uint8_t> out(5);
    EXPECT_EQ(ring.pop(out), 5u);
    EXPECT_EQ(out, counting(5, 0));
    // 2 held at 5..6; 6 more wrap past the end.
    EXPECT_EQ(ring.push(counting(6, 7)), 6u);
    EXPECT_EQ(ring.size(), 8u);
    out.resize(8);
    EXPECT_EQ(ring.pop(out), 8u);
    EXPECT_EQ(out, counting(8, 5));
    EXPECT_TRUE(ring.empty());
}

TEST(ByteRing, TakesOnlyWhatFitsAndGivesOnlyWhatItHas) {
    ByteRing ring(4);
    EXPECT_EQ(ring.push(counting(6, 0)), 4u);
    EXPECT_EQ(ring.free(), 0u);
    EXPECT_EQ(ring.push(counting(1, 9)), 0u);
    std::vector<std::uint8_t> out(10, 0xee);
    EXPECT_EQ(ring.pop(out), 4u);
    EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + 4), counting(4, 0));
    EXPECT_EQ(out[4], 0xee);
    EXPECT_EQ(ring.pop(out), 0u);
}

}  // namespace
}  // namespace shoal::utp
