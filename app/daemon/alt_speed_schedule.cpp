#include "daemon/alt_speed_schedule.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>

namespace shoal::daemon {
namespace {

constexpr std::array<std::string_view, 7> k_days = {"sunday",   "monday", "tuesday", "wednesday",
                                                     "thursday", "friday", "saturday"};
constexpr int k_weekdays = 0b0111110;
constexpr int k_weekend = 0b1000001;

bool on_day(int days, int weekday) { return (days >> weekday) & 1; }

std::optional<int> number(std::string_view text) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

std::string lower_trimmed(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

}  // namespace

LocalMinute local_minute_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    return {tm.tm_wday, tm.tm_hour * 60 + tm.tm_min};
}

bool alt_speed_time(const AltSpeedSchedule& s, LocalMinute now) {
    if (s.begin == s.end) return on_day(s.days, now.weekday);
    if (s.begin < s.end) return s.begin <= now.minute && now.minute < s.end && on_day(s.days, now.weekday);
    // Over midnight: the evening of a chosen day, or the morning after one.
    if (now.minute >= s.begin) return on_day(s.days, now.weekday);
    if (now.minute < s.end) return on_day(s.days, (now.weekday + 6) % 7);
    return false;
}

std::optional<int> parse_time_of_day(std::string_view text) {
    const std::string t = lower_trimmed(text);
    const auto colon = t.find(':');
    if (colon == std::string::npos) {
        auto minutes = number(t);
        if (!minutes || *minutes < 0 || *minutes >= k_minutes_a_day) return std::nullopt;
        return minutes;
    }
    const std::string_view view(t);
    const auto hours = number(view.substr(0, colon));
    const auto minutes = view.size() - colon - 1 == 2 ? number(view.substr(colon + 1)) : std::nullopt;
    if (!hours || !minutes || *hours < 0 || *hours > 23 || *minutes < 0 || *minutes > 59) return std::nullopt;
    return *hours * 60 + *minutes;
}

std::string time_of_day_text(int minutes) {
    char out[16];
    std::snprintf(out, sizeof out, "%02d:%02d", (minutes / 60) % 100, minutes % 60);
    return out;
}

std::optional<int> parse_days(std::string_view text) {
    const std::string t = lower_trimmed(text);
    if (t == "all") return k_every_day;
    if (t == "weekdays") return k_weekdays;
    if (t == "weekend") return k_weekend;
    if (auto mask = number(t)) {
        if (*mask < 0 || *mask > k_every_day) return std::nullopt;
        return mask;
    }
    int days = 0;
    std::string_view rest(t);
    while (true) {
        const auto comma = rest.find(',');
        const std::string name = lower_trimmed(rest.substr(0, comma));
        const auto found = std::find_if(k_days.begin(), k_days.end(), [&](std::string_view day) {
            return name.size() >= 3 && day.starts_with(name);
        });
        if (found == k_days.end()) return std::nullopt;
        days |= 1 << (found - k_days.begin());
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return days;
}

std::string days_text(int days) {
    if (days == 0) return "0";
    if (days == k_every_day) return "all";
    if (days == k_weekdays) return "weekdays";
    if (days == k_weekend) return "weekend";
    std::string out;
    for (int day = 0; day < 7; ++day) {
        if (on_day(days, day)) out += (out.empty() ? "" : ",") + std::string(k_days[day].substr(0, 3));
    }
    return out;
}

}  // namespace shoal::daemon
