// The control layer's rules that need no session: tracker editing and seed limits.
#include <gtest/gtest.h>

#include "control/seed_rules.hpp"
#include "control/tracker_tiers.hpp"

using namespace shoal;
using namespace shoal::control;
using namespace std::chrono_literals;

TEST(TrackerTiers, AddsToATierOrANewLastOne) {
    Tiers tiers{{"http://a.example/announce"}};
    ASSERT_TRUE(add_tracker(tiers, "  udp://b.example:6969 ", 0));
    ASSERT_TRUE(add_tracker(tiers, "https://c.example/announce", -1));
    ASSERT_TRUE(add_tracker(tiers, "https://d.example/announce", 9));
    EXPECT_EQ(tiers, (Tiers{{"http://a.example/announce", "udp://b.example:6969"},
                            {"https://c.example/announce"},
                            {"https://d.example/announce"}}));
}

TEST(TrackerTiers, RefusesInvalidAndRepeatedUrls) {
    Tiers tiers{{"http://a.example/announce"}};
    auto bad = add_tracker(tiers, "udp://no-port.example", 0);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::invalid_input);
    auto twice = add_tracker(tiers, "http://a.example/announce", -1);
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, ErrorCode::already_exists);
    EXPECT_EQ(tiers.size(), 1u);
}

TEST(TrackerTiers, ReplacesInPlaceAndRemovesEmptiedTiers) {
    Tiers tiers{{"http://a.example/announce"}, {"http://b.example/announce"}};
    ASSERT_TRUE(replace_tracker(tiers, "http://b.example/announce", "http://c.example/announce"));
    EXPECT_EQ(tiers[1], Tier{"http://c.example/announce"});
    auto missing = replace_tracker(tiers, "http://zzz.example/announce", "http://d.example/announce");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::not_found);
    ASSERT_TRUE(remove_tracker(tiers, "http://a.example/announce"));
    EXPECT_EQ(tiers, (Tiers{{"http://c.example/announce"}}));
    EXPECT_EQ(remove_tracker(tiers, "http://a.example/announce").error().code, ErrorCode::not_found);
}

TEST(TrackerTiers, CheckedTiersDropsEmptyTiersAndRefusesRepeats) {
    auto ok = checked_tiers({{}, {"http://a.example/announce"}, {}});
    ASSERT_TRUE(ok);
    EXPECT_EQ(*ok, (Tiers{{"http://a.example/announce"}}));
    auto repeated = checked_tiers({{"http://a.example/announce"}, {"http://a.example/announce"}});
    ASSERT_FALSE(repeated);
    EXPECT_EQ(repeated.error().code, ErrorCode::already_exists);
}

TEST(SeedRules, NoLimitsNeverStop) {
    TorrentStats s;
    s.total_wanted = 100;
    s.all_time_uploaded = 1'000'000;
    EXPECT_FALSE(seed_limit_reached({}, s, 1000h));
}

TEST(SeedRules, RatioCountsAllTimeUploadAgainstWantedBytes) {
    TorrentStats s;
    s.total_wanted = 1000;
    s.all_time_uploaded = 1999;
    const SeedLimits limits{.ratio = 2.0};
    EXPECT_FALSE(seed_limit_reached(limits, s, 0s));
    s.all_time_uploaded = 2000;
    EXPECT_TRUE(seed_limit_reached(limits, s, 0s));
}

TEST(SeedRules, TimeCountsSeedingInThisRun) {
    const SeedLimits limits{.time = 30min};
    EXPECT_FALSE(seed_limit_reached(limits, {}, 29min));
    auto why = seed_limit_reached(limits, {}, 30min);
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("1800"), std::string::npos);
}
