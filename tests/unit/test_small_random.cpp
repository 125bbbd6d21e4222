// SmallRandom: a seed gives one sequence, seeds differ, and a distribution over it reaches
// every value.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "util/small_random.hpp"

using shoal::SmallRandom;

TEST(SmallRandom, ASeedGivesOneSequence) {
    SmallRandom a(42), b(42), c(43);
    bool differs = false;
    for (int i = 0; i < 16; ++i) {
        const auto x = a();
        EXPECT_EQ(x, b());
        differs = differs || x != c();
    }
    EXPECT_TRUE(differs);
}

TEST(SmallRandom, ADistributionReachesEveryValueAboutEvenly) {
    SmallRandom rng(7);
    std::uniform_int_distribution<int> pick(0, 9);
    int counts[10] = {};
    for (int i = 0; i < 10'000; ++i) ++counts[pick(rng)];
    for (int n : counts) {
        EXPECT_GT(n, 850);
        EXPECT_LT(n, 1150);
    }
}

TEST(SmallRandom, DefaultSeedsDiffer) {
    std::set<SmallRandom::result_type> first;
    for (int i = 0; i < 8; ++i) first.insert(SmallRandom()());
    EXPECT_EQ(first.size(), 8u);
}
