// shoald gives freed heap back once its resident size has grown enough since the last time.

#include <gtest/gtest.h>

#include "daemon/memory_release.hpp"

namespace {

using shoal::daemon::MemoryRelease;

TEST(DaemonMemoryRelease, TrimsOnceTheResidentSizeHasGrownEnough) {
    std::int64_t resident = 50;
    int trims = 0;
    MemoryRelease release([&] { return resident; }, [&] { ++trims; resident -= 8; }, 10);
    EXPECT_TRUE(release.look());  // 50 resident, nothing given back yet
    EXPECT_EQ(trims, 1);          // now 42
    resident = 51;
    EXPECT_FALSE(release.look());  // grown by 9
    resident = 52;
    EXPECT_TRUE(release.look());  // by 10: given back, now 44
    EXPECT_EQ(trims, 2);
    EXPECT_FALSE(release.look());
    EXPECT_EQ(trims, 2);
}

TEST(DaemonMemoryRelease, OnceTheResidentSizeStopsGrowingLessIsEnough) {
    std::int64_t resident = 50;
    int trims = 0;
    MemoryRelease release([&] { return resident; }, [&] { ++trims; resident -= 2; }, 10, 4);
    EXPECT_TRUE(release.look());  // 50: now 48
    resident = 52;
    EXPECT_FALSE(release.look());  // grown by 4 since the trim, but still growing
    resident = 53;
    EXPECT_FALSE(release.look());  // by 1 since the last look: still growing
    EXPECT_TRUE(release.look());   // 53 again: stopped, and 5 since the trim is enough; now 51
    EXPECT_EQ(trims, 2);
    resident = 54;
    EXPECT_FALSE(release.look());  // by 3 only
    EXPECT_FALSE(release.look());  // stopped, but 3 is not enough
    EXPECT_EQ(trims, 2);
}

TEST(DaemonMemoryRelease, ReadsThisProcesssResidentSize) {
    EXPECT_GT(shoal::daemon::resident_bytes(), 1024 * 1024);
}

}  // namespace
