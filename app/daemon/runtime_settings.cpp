#include "daemon/runtime_settings.hpp"

#include <algorithm>
#include <cmath>

#include "daemon/rpc_values.hpp"

namespace json = boost::json;

namespace shoal::daemon {

std::int64_t RuntimeSettings::upload_limit() const {
    if (alt_speed_enabled) return alt_speed_up;
    return speed_limit_up_enabled ? speed_limit_up : 0;
}

std::int64_t RuntimeSettings::download_limit() const {
    if (alt_speed_enabled) return alt_speed_down;
    return speed_limit_down_enabled ? speed_limit_down : 0;
}

control::SeedLimits RuntimeSettings::seed_limits(const control::SeedLimits& base) const {
    control::SeedLimits limits = base;
    limits.ratio = seed_ratio_limited ? seed_ratio_limit : 0;
    limits.idle = idle_seeding_limit_enabled ? std::chrono::minutes(idle_seeding_limit) : std::chrono::minutes(0);
    return limits;
}

RuntimeSettings runtime_settings(const DaemonFacts& facts) {
    const SessionSettings& s = facts.settings;
    RuntimeSettings r;
    r.download_dir = facts.download_dir;
    r.incomplete_dir_enabled = !facts.incomplete_dir.empty();
    r.incomplete_dir = r.incomplete_dir_enabled ? facts.incomplete_dir : facts.config_dir / "incomplete";
    if (s.upload_limit > 0) {
        r.speed_limit_up = s.upload_limit;
        r.speed_limit_up_enabled = true;
    }
    if (s.download_limit > 0) {
        r.speed_limit_down = s.download_limit;
        r.speed_limit_down_enabled = true;
    }
    if (facts.alt_speed_up > 0) r.alt_speed_up = facts.alt_speed_up;
    if (facts.alt_speed_down > 0) r.alt_speed_down = facts.alt_speed_down;
    r.alt_speed_time = facts.alt_speed_schedule;
    r.queue = facts.queue;
    r.peer_limit_global = s.max_connections;
    r.peer_limit_per_torrent = s.max_peers_per_torrent;
    if (facts.seed_limits.ratio > 0) {
        r.seed_ratio_limit = facts.seed_limits.ratio;
        r.seed_ratio_limited = true;
    }
    if (facts.seed_limits.idle.count() > 0) {
        r.idle_seeding_limit =
            std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::minutes>(facts.seed_limits.idle).count());
        r.idle_seeding_limit_enabled = true;
    }
    return r;
}

json::object runtime_values(const RuntimeSettings& r, SpeedUnits units) {
    const auto speed = [units](std::int64_t bytes) { return units == SpeedUnits::rpc ? rpc_kilobytes(bytes) : bytes; };
    return json::object{
        {"download-dir", r.download_dir.string()},
        {"incomplete-dir", r.incomplete_dir.string()},
        {"incomplete-dir-enabled", r.incomplete_dir_enabled},
        {"start-added-torrents", r.start_added_torrents},
        {"speed-limit-up", speed(r.speed_limit_up)},
        {"speed-limit-up-enabled", r.speed_limit_up_enabled},
        {"speed-limit-down", speed(r.speed_limit_down)},
        {"speed-limit-down-enabled", r.speed_limit_down_enabled},
        {"alt-speed-up", speed(r.alt_speed_up)},
        {"alt-speed-down", speed(r.alt_speed_down)},
        {"alt-speed-enabled", r.alt_speed_enabled},
        {"alt-speed-time-enabled", r.alt_speed_time.enabled},
        {"alt-speed-time-begin", r.alt_speed_time.begin},
        {"alt-speed-time-end", r.alt_speed_time.end},
        {"alt-speed-time-day", r.alt_speed_time.days},
        {"peer-limit-global", r.peer_limit_global},
        {"peer-limit-per-torrent", r.peer_limit_per_torrent},
        {"seedRatioLimit", r.seed_ratio_limit},
        {"seedRatioLimited", r.seed_ratio_limited},
        {"idle-seeding-limit", r.idle_seeding_limit},
        {"idle-seeding-limit-enabled", r.idle_seeding_limit_enabled},
        {"download-queue-enabled", r.queue.download_enabled},
        {"download-queue-size", r.queue.download_size},
        {"seed-queue-enabled", r.queue.seed_enabled},
        {"seed-queue-size", r.queue.seed_size},
        {"queue-stalled-enabled", r.queue.stalled_enabled},
        {"queue-stalled-minutes", r.queue.stalled_after.count()},
    };
}

const std::vector<std::string>& runtime_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> out;
        for (const auto& [key, value] : runtime_values({})) out.emplace_back(key);
        return out;
    }();
    return keys;
}

namespace {

Error wrong(std::string_view key, std::string_view why) {
    return make_error("'" + std::string(key) + "' " + std::string(why));
}

// Reads one argument into `target` when it is there.
template <typename T, typename Read>
Result<Done> take(const json::object& args, std::string_view key, T& target, Read read) {
    const json::value* v = args.if_contains(key);
    if (!v) return Done{};
    auto value = read(*v);
    if (!value) return wrong(key, "has the wrong type");
    target = static_cast<T>(*value);
    return Done{};
}

template <typename T>
Result<Done> take_integer(const json::object& args, std::string_view key, T& target, std::int64_t low,
                          std::int64_t high) {
    const json::value* v = args.if_contains(key);
    if (!v) return Done{};
    auto value = as_integer(*v);
    if (!value) return wrong(key, "has the wrong type");
    if (*value < low || *value > high) {
        return wrong(key, "must be from " + std::to_string(low) + " to " + std::to_string(high));
    }
    target = static_cast<T>(*value);
    return Done{};
}

// A speed into `target` (bytes per second), read in `units`.
Result<Done> take_speed(const json::object& args, std::string_view key, std::int64_t& target, SpeedUnits units) {
    const json::value* v = args.if_contains(key);
    if (!v) return Done{};
    auto value = as_integer(*v);
    if (!value) return wrong(key, "has the wrong type");
    const std::int64_t high = units == SpeedUnits::rpc ? k_max_rpc_speed : k_max_rpc_speed * k_rpc_speed_unit;
    if (*value < 0 || *value > high) return wrong(key, "must be from 0 to " + std::to_string(high));
    target = units == SpeedUnits::rpc ? bytes_from_rpc(*value, target) : *value;
    return Done{};
}

}  // namespace

Result<Done> take_runtime_values(RuntimeSettings& settings, const json::object& args, SpeedUnits units) {
    constexpr std::int64_t k_max_queue = 100'000;  // torrents, or minutes until one is stalled
    RuntimeSettings next = settings;
    const auto string = [](const json::value& v) -> std::optional<std::string> {
        if (!v.is_string()) return std::nullopt;
        return std::string(v.get_string());
    };
    std::string dir = next.download_dir.string();
    std::string incomplete_dir = next.incomplete_dir.string();
    std::int64_t stalled_minutes = next.queue.stalled_after.count();
    for (auto done : {take(args, "download-dir", dir, string),
                      take(args, "incomplete-dir", incomplete_dir, string),
                      take(args, "incomplete-dir-enabled", next.incomplete_dir_enabled, as_flag),
                      take(args, "start-added-torrents", next.start_added_torrents, as_flag),
                      take_speed(args, "speed-limit-up", next.speed_limit_up, units),
                      take(args, "speed-limit-up-enabled", next.speed_limit_up_enabled, as_flag),
                      take_speed(args, "speed-limit-down", next.speed_limit_down, units),
                      take(args, "speed-limit-down-enabled", next.speed_limit_down_enabled, as_flag),
                      take_speed(args, "alt-speed-up", next.alt_speed_up, units),
                      take_speed(args, "alt-speed-down", next.alt_speed_down, units),
                      take(args, "alt-speed-enabled", next.alt_speed_enabled, as_flag),
                      take(args, "alt-speed-time-enabled", next.alt_speed_time.enabled, as_flag),
                      take_integer(args, "alt-speed-time-begin", next.alt_speed_time.begin, 0, k_minutes_a_day - 1),
                      take_integer(args, "alt-speed-time-end", next.alt_speed_time.end, 0, k_minutes_a_day - 1),
                      take_integer(args, "alt-speed-time-day", next.alt_speed_time.days, 0, k_every_day),
                      take_integer(args, "peer-limit-global", next.peer_limit_global, 1, 65535),
                      take_integer(args, "peer-limit-per-torrent", next.peer_limit_per_torrent, 1, 65535),
                      take(args, "seedRatioLimit", next.seed_ratio_limit, as_number),
                      take(args, "seedRatioLimited", next.seed_ratio_limited, as_flag),
                      take_integer(args, "idle-seeding-limit", next.idle_seeding_limit, 1, control::k_max_idle_minutes),
                      take(args, "idle-seeding-limit-enabled", next.idle_seeding_limit_enabled, as_flag),
                      take(args, "download-queue-enabled", next.queue.download_enabled, as_flag),
                      take_integer(args, "download-queue-size", next.queue.download_size, 1, k_max_queue),
                      take(args, "seed-queue-enabled", next.queue.seed_enabled, as_flag),
                      take_integer(args, "seed-queue-size", next.queue.seed_size, 1, k_max_queue),
                      take(args, "queue-stalled-enabled", next.queue.stalled_enabled, as_flag),
                      take_integer(args, "queue-stalled-minutes", stalled_minutes, 1, k_max_queue)}) {
        if (!done) return done;
    }
    next.download_dir = dir;
    if (!next.download_dir.is_absolute()) return wrong("download-dir", "is not an absolute path");
    next.queue.stalled_after = std::chrono::minutes(stalled_minutes);
    next.incomplete_dir = incomplete_dir;
    // Settings made without one (none is configured) pass; one given must be absolute.
    if ((args.contains("incomplete-dir") || !next.incomplete_dir.empty()) && !next.incomplete_dir.is_absolute()) {
        return wrong("incomplete-dir", "is not an absolute path");
    }
    if (next.incomplete_dir_enabled && next.incomplete_dir.empty()) {
        return wrong("incomplete-dir-enabled", "needs an incomplete-dir");
    }
    if (!std::isfinite(next.seed_ratio_limit) || next.seed_ratio_limit < 0 ||
        next.seed_ratio_limit > control::k_max_seed_ratio) {
        return wrong("seedRatioLimit", "is out of range");
    }
    settings = std::move(next);
    return Done{};
}

}  // namespace shoal::daemon
