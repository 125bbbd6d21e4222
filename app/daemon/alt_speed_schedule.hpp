#pragma once
// The alternative speeds' schedule (Transmission's alt-speed-time-*): from a time of day to
// another on some days of the week. A pure decision from a local time, and the config file's
// words for times ("22:30") and days ("weekdays", "sat,sun").

#include <optional>
#include <string>
#include <string_view>

namespace shoal::daemon {

// Transmission's day bits: Sunday 1, Monday 2, Tuesday 4, ... Saturday 64.
inline constexpr int k_every_day = 127;
inline constexpr int k_minutes_a_day = 24 * 60;

struct AltSpeedSchedule {
    bool enabled = false;
    int begin = 9 * 60;  // minutes after midnight
    int end = 17 * 60;   // when begin is later, the time runs over midnight into the next day
    int days = k_every_day;  // the days the time starts on

    bool operator==(const AltSpeedSchedule&) const = default;
};

struct LocalMinute {
    int weekday = 0;  // 0 Sunday to 6 Saturday
    int minute = 0;   // 0 to 1439
};

// Now, in the machine's time zone.
LocalMinute local_minute_now();

// Whether the schedule holds the alternative speeds on at `now` (whatever `enabled` says).
// From begin (in) to end (out); begin equal to end is the whole day. A time over midnight
// belongs to the day it started on: "fri" from 22:00 to 06:00 covers Saturday 03:00.
bool alt_speed_time(const AltSpeedSchedule& schedule, LocalMinute now);

// "HH:MM" (00:00 to 23:59), or minutes after midnight ("1320"); nullopt otherwise.
std::optional<int> parse_time_of_day(std::string_view text);
std::string time_of_day_text(int minutes);  // "09:00"

// "all", "weekdays", "weekend", or day names parted by commas ("mon,tue,sat"; the first three
// letters or the whole name, any case), or Transmission's mask as a number (0, no day, to 127).
std::optional<int> parse_days(std::string_view text);
std::string days_text(int days);  // "all", "weekdays", "weekend", "mon,wed", or "0" for no day

}  // namespace shoal::daemon
