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

TEST(DaemonMemoryRelease, OnceTheResidentSizeStandsStillWhatWasFreedSinceIsGivenBack) {
    std::int64_t resident = 50;
    std::int64_t free = 0;
    int trims = 0;
    int free_counted = 0;
    MemoryRelease release([&] { return resident; }, [&] { ++trims; resident -= 2; }, 10,
                          [&] { ++free_counted; return free; }, 4);
    EXPECT_TRUE(release.look());  // 50: now 48, nothing free
    EXPECT_EQ(trims, 1);
    resident = 52;
    free = 4;
    EXPECT_FALSE(release.look());  // 4 freed, but the resident size is still growing
    const int counted = free_counted;
    resident = 53;
    EXPECT_FALSE(release.look());  // by 1 since the last look: still growing
    EXPECT_EQ(free_counted, counted) << "the free bytes are not counted while it grows";
    EXPECT_TRUE(release.look());   // 53 again: it stands still, and 4 were freed since the trim
    EXPECT_EQ(trims, 2);
    free = 7;
    EXPECT_FALSE(release.look());  // 3 more free only
    free = 8;
    EXPECT_TRUE(release.look());  // 4 since the last trim
    EXPECT_EQ(trims, 3);
    EXPECT_FALSE(release.look());
}

TEST(DaemonMemoryRelease, WhileNothingMovesTheFreeBytesAreCountedOnceEveryFewLooks) {
    std::int64_t resident = 50;
    std::int64_t free = 0;
    int trims = 0;
    int free_counted = 0;
    MemoryRelease release([&] { return resident; }, [&] { ++trims; resident -= 2; }, 10,
                          [&] { ++free_counted; return free; }, 4, 3);
    EXPECT_TRUE(release.look());  // 50: now 48
    free = 4;
    int counted = free_counted;
    EXPECT_FALSE(release.look());  // 48 again: standing still, not counted yet
    EXPECT_FALSE(release.look());
    EXPECT_EQ(free_counted, counted);
    EXPECT_TRUE(release.look()) << "the third look counts the free bytes";
    EXPECT_EQ(trims, 2);  // now 46
    counted = free_counted;
    resident = 47;
    free = 8;
    EXPECT_FALSE(release.look());  // growing by 1
    EXPECT_TRUE(release.look()) << "the first still look after it moved counts them";
    EXPECT_EQ(free_counted, counted + 2);  // counted, then the baseline after the trim
    EXPECT_EQ(trims, 3);
}

TEST(DaemonMemoryRelease, ReadsThisProcesssResidentSize) {
    EXPECT_GT(shoal::daemon::resident_bytes(), 1024 * 1024);
}

}  // namespace
