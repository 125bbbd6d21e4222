// shoald's session settings apart from the RPC: the alternative speeds' schedule (a pure
// decision from the local time), its words in the config file, and session-set's changes kept
// in the state folder over the config file's values.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "daemon/alt_speed_schedule.hpp"
#include "daemon/saved_settings.hpp"
#include "test_files.hpp"

using namespace shoal;
using namespace shoal::daemon;

namespace {

constexpr int sunday = 0, monday = 1, friday = 5, saturday = 6;

int at(int hours, int minutes = 0) { return hours * 60 + minutes; }

TEST(AltSpeedSchedule, ADaytimeRangeHoldsFromBeginUntilEnd) {
    const AltSpeedSchedule s{.enabled = true, .begin = at(9), .end = at(17), .days = k_every_day};
    EXPECT_FALSE(alt_speed_time(s, {monday, at(8, 59)}));
    EXPECT_TRUE(alt_speed_time(s, {monday, at(9)}));
    EXPECT_TRUE(alt_speed_time(s, {monday, at(16, 59)}));
    EXPECT_FALSE(alt_speed_time(s, {monday, at(17)}));
}

TEST(AltSpeedSchedule, ARangeOverMidnightBelongsToTheDayItStarts) {
    // Friday night only, 22:00 to 06:00.
    const AltSpeedSchedule s{.enabled = true, .begin = at(22), .end = at(6), .days = 1 << friday};
    EXPECT_FALSE(alt_speed_time(s, {friday, at(21, 59)}));
    EXPECT_TRUE(alt_speed_time(s, {friday, at(22)}));
    EXPECT_TRUE(alt_speed_time(s, {friday, at(23, 59)}));
    EXPECT_TRUE(alt_speed_time(s, {saturday, at(0)}));
    EXPECT_TRUE(alt_speed_time(s, {saturday, at(5, 59)}));
    EXPECT_FALSE(alt_speed_time(s, {saturday, at(6)}));
    EXPECT_FALSE(alt_speed_time(s, {saturday, at(23)}));  // Saturday evening is not Friday's
    EXPECT_FALSE(alt_speed_time(s, {friday, at(3)}));     // Friday morning is Thursday's night
    // Saturday night runs into Sunday: the week wraps.
    const AltSpeedSchedule sat{.enabled = true, .begin = at(22), .end = at(6), .days = 1 << saturday};
    EXPECT_TRUE(alt_speed_time(sat, {sunday, at(2)}));
    EXPECT_FALSE(alt_speed_time(sat, {monday, at(2)}));
}

TEST(AltSpeedSchedule, TheDayMaskChoosesDays) {
    const AltSpeedSchedule weekend{.enabled = true, .begin = at(0), .end = at(12), .days = *parse_days("weekend")};
    EXPECT_TRUE(alt_speed_time(weekend, {sunday, at(8)}));
    EXPECT_TRUE(alt_speed_time(weekend, {saturday, at(8)}));
    EXPECT_FALSE(alt_speed_time(weekend, {monday, at(8)}));
    // Begin equal to end: the whole of each chosen day.
    const AltSpeedSchedule mondays{.enabled = true, .begin = at(3), .end = at(3), .days = 1 << monday};
    EXPECT_TRUE(alt_speed_time(mondays, {monday, at(0)}));
    EXPECT_TRUE(alt_speed_time(mondays, {monday, at(23, 59)}));
    EXPECT_FALSE(alt_speed_time(mondays, {sunday, at(12)}));
    EXPECT_FALSE(alt_speed_time({.days = 0}, {monday, at(12)}));
}

TEST(AltSpeedSchedule, TheConfigFilesWords) {
    EXPECT_EQ(parse_time_of_day("09:30"), at(9, 30));
    EXPECT_EQ(parse_time_of_day(" 23:59 "), at(23, 59));
    EXPECT_EQ(parse_time_of_day("1320"), 1320);
    for (const char* bad : {"24:00", "9:5", "12:60", "-1", "1440", "noon", "", "12:"}) {
        EXPECT_FALSE(parse_time_of_day(bad)) << bad;
    }
    EXPECT_EQ(time_of_day_text(at(9)), "09:00");
    EXPECT_EQ(time_of_day_text(at(23, 5)), "23:05");
    EXPECT_EQ(parse_days("all"), 127);
    EXPECT_EQ(parse_days("weekdays"), 0b0111110);
    EXPECT_EQ(parse_days("Sun, saturday"), 0b1000001);
    EXPECT_EQ(parse_days("mon,wed"), 0b0001010);
    EXPECT_EQ(parse_days("127"), 127);
    for (const char* bad : {"", "mo", "mon,,tue", "funday", "128", "-1", "mon;tue"}) {
        EXPECT_FALSE(parse_days(bad)) << bad;
    }
    for (int days : {0, 1, 0b0001010, 0b0111110, 0b1000001, 127}) EXPECT_EQ(parse_days(days_text(days)), days);
    EXPECT_EQ(days_text(0b0001010), "mon,wed");
}

RuntimeSettings config_settings() {
    RuntimeSettings r;
    r.download_dir = "/downloads";
    r.peer_limit_global = 200;
    r.peer_limit_per_torrent = 50;
    return r;
}

TEST(SavedSettings, KeepsChangesOverTheConfigUntilTheConfigSaysOtherwise) {
    test::TempDir dir;
    const auto file = dir.path() / "settings.json";
    const RuntimeSettings config = config_settings();
    RuntimeSettings changed = config;
    changed.speed_limit_up = 300'000;
    changed.speed_limit_up_enabled = true;
    changed.idle_seeding_limit = 15;
    {
        SavedSettings saved(file);
        ASSERT_TRUE(saved.load());  // no file yet
        saved.keep({"speed-limit-up", "speed-limit-up-enabled", "idle-seeding-limit", "peer-limit-global"}, changed,
                   config);
        EXPECT_FALSE(saved.has("peer-limit-global"));  // as the config says: nothing to keep
        ASSERT_TRUE(saved.save());
    }
    SavedSettings again(file);
    ASSERT_TRUE(again.load());
    RuntimeSettings over = again.over(config);
    EXPECT_EQ(over.speed_limit_up, 300'000);
    EXPECT_TRUE(over.speed_limit_up_enabled);
    EXPECT_EQ(over.idle_seeding_limit, 15);
    // The config file edited since: its value wins, and the change is forgotten.
    RuntimeSettings edited = config;
    edited.speed_limit_up = 80'000;
    over = again.over(edited);
    EXPECT_EQ(over.speed_limit_up, 80'000);
    EXPECT_TRUE(over.speed_limit_up_enabled);  // this one's config value is as it was
    EXPECT_FALSE(again.has("speed-limit-up"));
    EXPECT_TRUE(again.has("speed-limit-up-enabled"));
}

std::string file_text(const std::filesystem::path& file) {
    std::ifstream in(file);
    return {std::istreambuf_iterator<char>(in), {}};
}

// Speeds are kept in bytes per second, so a limit that is no whole number of kB/s comes back
// as it was set, and a config file edited within the same kB/s is seen to be edited.
TEST(SavedSettings, SpeedsAreKeptToTheByte) {
    test::TempDir dir;
    const auto file = dir.path() / "settings.json";
    RuntimeSettings config = config_settings();
    config.speed_limit_up = 1'048'576;
    config.speed_limit_up_enabled = true;
    RuntimeSettings changed = config;
    changed.speed_limit_down = 1'500;
    changed.speed_limit_down_enabled = true;
    {
        SavedSettings saved(file);
        saved.keep({"speed-limit-up", "speed-limit-down", "speed-limit-down-enabled"}, changed, config);
        EXPECT_FALSE(saved.has("speed-limit-up"));
        ASSERT_TRUE(saved.save());
    }
    const std::string text = file_text(file);
    EXPECT_NE(text.find(R"("version":2)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("speed-limit-down":{"value":1500,"config":100000})"), std::string::npos) << text;
    SavedSettings again(file);
    ASSERT_TRUE(again.load());
    RuntimeSettings over = again.over(config);
    EXPECT_EQ(over.upload_limit(), 1'048'576);
    EXPECT_EQ(over.download_limit(), 1'500);
    RuntimeSettings edited = config;
    edited.speed_limit_down = 100'400;  // the same 100 kB/s, said otherwise
    over = again.over(edited);
    EXPECT_EQ(over.speed_limit_down, 100'400);
    EXPECT_FALSE(again.has("speed-limit-down"));
}

// A file of version 1 said speeds in kB/s, as the RPC does; read so, and written again in bytes.
TEST(SavedSettings, AVersion1FileIsReadInKilobytes) {
    test::TempDir dir;
    const auto file = dir.path() / "settings.json";
    std::ofstream(file) << R"({"version": 1, "settings": {"speed-limit-up": {"value": 300, "config": 1048},
        "alt-speed-up": {"value": 7, "config": 50}, "peer-limit-global": {"value": 40, "config": 200}}})";
    RuntimeSettings config = config_settings();
    config.speed_limit_up = 1'048'576;
    config.speed_limit_up_enabled = true;
    SavedSettings saved(file);
    ASSERT_TRUE(saved.load());
    const RuntimeSettings over = saved.over(config);
    EXPECT_EQ(over.speed_limit_up, 300'000);
    EXPECT_EQ(over.alt_speed_up, 7'000);
    EXPECT_EQ(over.peer_limit_global, 40);
    ASSERT_TRUE(saved.save());
    const std::string text = file_text(file);
    EXPECT_NE(text.find(R"("version":2)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("speed-limit-up":{"value":300000,"config":1048576})"), std::string::npos) << text;
    SavedSettings again(file);
    ASSERT_TRUE(again.load());
    EXPECT_EQ(runtime_values(again.over(config)), runtime_values(over));
}

TEST(SavedSettings, ADamagedFileIsSaidAndForgotten) {
    test::TempDir dir;
    const auto file = dir.path() / "settings.json";
    for (const char* text : {"{", "[]", R"({"version": 9, "settings": {}})", R"({"version": 1})"}) {
        std::ofstream(file) << text;
        SavedSettings saved(file);
        auto loaded = saved.load();
        ASSERT_FALSE(loaded) << text;
        EXPECT_NE(loaded.error().message.find(file.string()), std::string::npos);
        EXPECT_EQ(runtime_values(saved.over(config_settings())), runtime_values(config_settings()));
    }
    // Unknown keys, entries that are no entries and values out of range are left out.
    std::ofstream(file) << R"({"version": 1, "settings": {"rpc-port": {"value": 1, "config": 2},
        "speed-limit-up": 5, "peer-limit-global": {"value": 0, "config": 200},
        "alt-speed-up": {"value": 7, "config": 50}}})";
    SavedSettings saved(file);
    ASSERT_TRUE(saved.load());
    const RuntimeSettings over = saved.over(config_settings());
    EXPECT_EQ(over.peer_limit_global, 200);
    EXPECT_EQ(over.speed_limit_up, 100'000);
    EXPECT_EQ(over.alt_speed_up, 7'000);  // a version 1 file: kB/s
    // Too large a file is refused.
    std::ofstream(file) << std::string(k_max_saved_settings_bytes + 1, ' ');
    EXPECT_FALSE(SavedSettings(file).load());
}

}  // namespace
