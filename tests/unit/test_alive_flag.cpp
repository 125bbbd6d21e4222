// AliveFlag: a watched flag reads true while its object lives and false after end() or the
// object's end, including flags handed out after end().
#include <gtest/gtest.h>

#include <memory>

#include "util/alive_flag.hpp"

using shoal::AliveFlag;

TEST(AliveFlag, ReadsTrueWhileTheObjectLives) {
    AliveFlag alive;
    auto first = alive.watch();
    auto second = alive.watch();
    EXPECT_TRUE(*first);
    EXPECT_EQ(first, second);  // one flag for every watcher
}

TEST(AliveFlag, ReadsFalseOnceTheObjectIsGone) {
    auto alive = std::make_unique<AliveFlag>();
    const auto flag = alive->watch();
    alive.reset();
    EXPECT_FALSE(*flag);
}

TEST(AliveFlag, EndReachesEveryFlagGivenOutAndLater) {
    AliveFlag alive;
    auto before = alive.watch();
    alive.end();
    EXPECT_FALSE(*before);
    EXPECT_FALSE(*alive.watch());
}

TEST(AliveFlag, EndBeforeAnyWatchStillReadsFalse) {
    AliveFlag alive;
    alive.end();
    EXPECT_FALSE(*alive.watch());
}
