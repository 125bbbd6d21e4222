// The control layer's rules that need no session: tracker and web seed editing, seed limits.
#include <gtest/gtest.h>

#include <limits>

#include "control/seed_rules.hpp"
#include "control/tracker_tiers.hpp"
#include "control/web_seed_list.hpp"

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

// A torrent has at most k_max_trackers trackers (what a .torrent file's announce-list keeps),
// each URL at most k_max_tracker_url_bytes long.
Tiers numbered_trackers(std::size_t count, std::size_t per_tier) {
    Tiers tiers;
    for (std::size_t i = 0; i < count; ++i) {
        if (i % per_tier == 0) tiers.emplace_back();
        tiers.back().push_back("http://t" + std::to_string(i) + ".example/announce");
    }
    return tiers;
}

TEST(TrackerTiers, ATorrentHasAtMost200Trackers) {
    ASSERT_EQ(k_max_trackers, 200u);
    auto full = checked_tiers(numbered_trackers(200, 7));
    ASSERT_TRUE(full) << full.error().message;
    EXPECT_EQ(full->size(), 29u);
    auto over = checked_tiers(numbered_trackers(201, 7));
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().code, ErrorCode::too_large);
    EXPECT_EQ(over.error().message, "a torrent has at most 200 trackers, not 201");
    // Empty tiers and blank lines do not count; repeats are refused as before.
    Tiers padded = numbered_trackers(200, 200);
    padded.insert(padded.begin(), Tier{});
    padded.push_back({});
    EXPECT_TRUE(checked_tiers(padded));
    // One more added to a full list is refused, and the list stays as it was.
    Tiers tiers = *full;
    auto added = add_tracker(tiers, "udp://one-more.example:6969", -1);
    ASSERT_FALSE(added);
    EXPECT_EQ(added.error().code, ErrorCode::too_large);
    EXPECT_EQ(added.error().message, "a torrent has at most 200 trackers");
    EXPECT_EQ(tiers, *full);
    // Replacing one keeps the count, so it is taken.
    EXPECT_TRUE(replace_tracker(tiers, "http://t0.example/announce", "udp://one-more.example:6969"));
}

TEST(TrackerTiers, AHugeListIsRefusedAtOnce) {
    // What a 10 MiB RPC body can carry: refused by its size, before any URL is looked at.
    const Tiers huge = numbered_trackers(300'000, 1'000);
    const auto start = std::chrono::steady_clock::now();
    auto refused = checked_tiers(huge);
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message, "a torrent has at most 200 trackers, not 300000");
    EXPECT_LT(took, 100ms);
    // Repeats among many are still found (a set, not a scan of every pair).
    Tiers repeated = numbered_trackers(199, 10);
    repeated.back().push_back("http://t3.example/announce");
    auto twice = checked_tiers(repeated);
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, ErrorCode::already_exists);
    EXPECT_EQ(twice.error().message, "'http://t3.example/announce' is already a tracker of this torrent");
}

TEST(TrackerTiers, AUrlIsAtMost4096Bytes) {
    ASSERT_EQ(k_max_tracker_url_bytes, 4096u);
    const std::string head = "http://long.example/";
    const std::string longest = head + std::string(k_max_tracker_url_bytes - head.size(), 'a');
    Tiers tiers;
    EXPECT_TRUE(add_tracker(tiers, longest, -1));
    auto too_long = add_tracker(tiers, longest + "a", -1);
    ASSERT_FALSE(too_long);
    EXPECT_EQ(too_long.error().code, ErrorCode::too_large);
    EXPECT_EQ(too_long.error().message, "a tracker URL is longer than 4096 bytes");
    EXPECT_FALSE(checked_tiers({{longest + "a"}}));
    EXPECT_FALSE(replace_tracker(tiers, longest, longest + "a"));
}

TEST(WebSeedList, AddsCheckedUrlsOnceAndRemovesThem) {
    std::vector<std::string> urls;
    ASSERT_TRUE(add_web_seed(urls, "http://a.example/pub/"));
    EXPECT_EQ(add_web_seed(urls, "http://a.example/pub/").error().code, ErrorCode::already_exists);
    EXPECT_EQ(add_web_seed(urls, "ftp://a.example/pub/").error().code, ErrorCode::invalid_input);
    EXPECT_EQ(add_web_seed(urls, "http://a.example/a b").error().code, ErrorCode::invalid_input);
    EXPECT_EQ(remove_web_seed(urls, "http://b.example/").error().code, ErrorCode::not_found);
    ASSERT_TRUE(remove_web_seed(urls, "http://a.example/pub/"));
    EXPECT_TRUE(urls.empty());
    for (std::size_t i = 0; i < k_max_web_seeds; ++i) ASSERT_TRUE(add_web_seed(urls, "http://m" + std::to_string(i) + ".example/"));
    EXPECT_EQ(add_web_seed(urls, "http://one-more.example/").error().code, ErrorCode::too_large);
}

TEST(SeedRules, NoLimitsNeverStop) {
    TorrentStats s;
    s.total_wanted = 100;
    s.all_time_uploaded = 1'000'000;
    EXPECT_FALSE(seed_limit_reached({}, s, 1000h, 1000h));
}

TEST(SeedRules, RatioCountsAllTimeUploadAgainstWantedBytes) {
    TorrentStats s;
    s.total_wanted = 1000;
    s.all_time_uploaded = 1999;
    const SeedLimits limits{.ratio = 2.0};
    EXPECT_FALSE(seed_limit_reached(limits, s, 0s, 0s));
    s.all_time_uploaded = 2000;
    EXPECT_TRUE(seed_limit_reached(limits, s, 0s, 0s));
}

TEST(SeedRules, TimeCountsSeedingInThisRun) {
    const SeedLimits limits{.time = 30min};
    EXPECT_FALSE(seed_limit_reached(limits, {}, 29min, 29min));
    auto why = seed_limit_reached(limits, {}, 30min, 0s);
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("1800"), std::string::npos);
}

TEST(SeedRules, IdleCountsTimeWithoutUploading) {
    const SeedLimits limits{.idle = 10min};
    EXPECT_FALSE(seed_limit_reached(limits, {}, 5h, 9min));
    auto why = seed_limit_reached(limits, {}, 5h, 10min);
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("10 minutes"), std::string::npos) << *why;
    EXPECT_TRUE(limits.any());
    EXPECT_FALSE(SeedLimits{}.any());
}

TEST(SeedRules, ATorrentsOwnModesOverrideTheGlobalLimits) {
    const SeedLimits global{.ratio = 2.0, .time = 60min, .idle = 30min};
    // Global: the session's limits as they are.
    const SeedLimits same = effective_seed_limits(global, {});
    EXPECT_DOUBLE_EQ(same.ratio, 2.0);
    EXPECT_EQ(same.idle, 30min);
    // Its own: its numbers, even where the session has none.
    const TorrentSeedLimits own{.ratio_mode = SeedLimitMode::own, .ratio = 0.5,
                                .idle_mode = SeedLimitMode::own, .idle_minutes = 5};
    const SeedLimits mine = effective_seed_limits(SeedLimits{}, own);
    EXPECT_DOUBLE_EQ(mine.ratio, 0.5);
    EXPECT_EQ(mine.idle, 5min);
    // Unlimited: none, whatever the session says; the seed time stays the session's.
    const TorrentSeedLimits none{.ratio_mode = SeedLimitMode::unlimited, .idle_mode = SeedLimitMode::unlimited};
    const SeedLimits free = effective_seed_limits(global, none);
    EXPECT_DOUBLE_EQ(free.ratio, 0.0);
    EXPECT_EQ(free.idle, 0min);
    EXPECT_EQ(free.time, 60min);
    TorrentStats s;
    s.total_wanted = 100;
    s.all_time_uploaded = 300;
    EXPECT_TRUE(seed_limit_reached(effective_seed_limits(global, {}), s, 0s, 0s));
    EXPECT_FALSE(seed_limit_reached(free, s, 0s, 10h));
}

TEST(SeedRules, TorrentLimitsAreChecked) {
    EXPECT_FALSE(seed_limits_problem({}));
    EXPECT_TRUE(seed_limits_problem({.ratio_mode = static_cast<SeedLimitMode>(3)}));
    EXPECT_TRUE(seed_limits_problem({.idle_mode = static_cast<SeedLimitMode>(7)}));
    EXPECT_TRUE(seed_limits_problem({.ratio = -1}));
    EXPECT_TRUE(seed_limits_problem({.ratio = std::numeric_limits<double>::quiet_NaN()}));
    EXPECT_TRUE(seed_limits_problem({.idle_minutes = -1}));
    EXPECT_TRUE(seed_limits_problem({.idle_minutes = k_max_idle_minutes + 1}));
}
