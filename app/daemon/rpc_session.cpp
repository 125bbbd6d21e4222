// The session's methods: session-get, session-set, session-stats and free-space.
#include <algorithm>

#include "daemon/rpc_methods.hpp"
#include "daemon/rpc_values.hpp"

namespace json = boost::json;

namespace shoal::daemon {

std::int64_t RuntimeSettings::upload_limit() const {
    if (alt_speed_enabled) return alt_speed_up * 1000;
    return speed_limit_up_enabled ? speed_limit_up * 1000 : 0;
}

std::int64_t RuntimeSettings::download_limit() const {
    if (alt_speed_enabled) return alt_speed_down * 1000;
    return speed_limit_down_enabled ? speed_limit_down * 1000 : 0;
}

RuntimeSettings runtime_settings(const DaemonFacts& facts) {
    const SessionSettings& s = facts.settings;
    RuntimeSettings r;
    r.download_dir = facts.download_dir;
    if (s.upload_limit > 0) {
        r.speed_limit_up = std::max<std::int64_t>(1, s.upload_limit / 1000);
        r.speed_limit_up_enabled = true;
    }
    if (s.download_limit > 0) {
        r.speed_limit_down = std::max<std::int64_t>(1, s.download_limit / 1000);
        r.speed_limit_down_enabled = true;
    }
    r.peer_limit_global = s.max_connections;
    r.peer_limit_per_torrent = s.max_peers_per_torrent;
    if (facts.seed_limits.ratio > 0) {
        r.seed_ratio_limit = facts.seed_limits.ratio;
        r.seed_ratio_limited = true;
    }
    return r;
}

json::object RpcMethods::session_values() {
    const SessionSettings& s = facts_.settings;
    const RuntimeSettings& r = runtime_;
    json::object all;
    all["version"] = facts_.version;
    all["rpc-version"] = k_rpc_version;
    all["rpc-version-minimum"] = k_rpc_version_minimum;
    all["rpc-version-semver"] = "5.3.0";
    all["session-id"] = facts_.session_id;
    all["config-dir"] = facts_.config_dir.string();
    all["download-dir"] = r.download_dir.string();
    std::error_code ec;
    const auto space = std::filesystem::space(r.download_dir, ec);
    all["download-dir-free-space"] = ec ? std::int64_t{-1} : static_cast<std::int64_t>(space.available);
    all["start-added-torrents"] = r.start_added_torrents;
    all["peer-port"] = control_.listen_port();
    all["peer-port-random-on-start"] = false;
    all["port-forwarding-enabled"] = s.enable_port_mapping;
    all["dht-enabled"] = s.enable_dht;
    all["pex-enabled"] = s.enable_pex;
    all["lpd-enabled"] = s.enable_lsd;
    all["utp-enabled"] = s.enable_utp;
    // Transmission has no word for refusing encryption outright, so it is not named then.
    if (s.encryption == EncryptionPolicy::prefer) all["encryption"] = "preferred";
    if (s.encryption == EncryptionPolicy::require) all["encryption"] = "required";
    all["peer-limit-per-torrent"] = r.peer_limit_per_torrent;
    all["peer-limit-global"] = r.peer_limit_global;
    all["speed-limit-down"] = r.speed_limit_down;
    all["speed-limit-down-enabled"] = r.speed_limit_down_enabled;
    all["speed-limit-up"] = r.speed_limit_up;
    all["speed-limit-up-enabled"] = r.speed_limit_up_enabled;
    all["alt-speed-down"] = r.alt_speed_down;
    all["alt-speed-up"] = r.alt_speed_up;
    all["alt-speed-enabled"] = r.alt_speed_enabled;
    all["seedRatioLimit"] = r.seed_ratio_limit;
    all["seedRatioLimited"] = r.seed_ratio_limited;
    const control::QueueSettings queue = control_.queue_settings();
    all["download-queue-enabled"] = queue.download_enabled;
    all["download-queue-size"] = queue.download_size;
    all["seed-queue-enabled"] = queue.seed_enabled;
    all["seed-queue-size"] = queue.seed_size;
    all["queue-stalled-enabled"] = queue.stalled_enabled;
    all["queue-stalled-minutes"] = queue.stalled_after.count();
    // What Shoal has none of: no schedule (Transmission's default hours and days, unused), no
    // blocklist, partial-file folder or names, idle limit, scripts or trashing.
    all["alt-speed-time-enabled"] = false;
    all["alt-speed-time-begin"] = 540;
    all["alt-speed-time-end"] = 1020;
    all["alt-speed-time-day"] = 127;
    all["trash-original-torrent-files"] = false;
    all["blocklist-enabled"] = false;
    all["incomplete-dir-enabled"] = false;
    all["rename-partial-files"] = false;
    all["idle-seeding-limit-enabled"] = false;
    all["script-torrent-added-enabled"] = false;
    all["script-torrent-done-enabled"] = false;
    all["script-torrent-done-seeding-enabled"] = false;
    all["units"] = json::object{
        {"speed-units", json::array{"kB/s", "MB/s", "GB/s", "TB/s"}},
        {"speed-bytes", 1000},
        {"size-units", json::array{"kB", "MB", "GB", "TB"}},
        {"size-bytes", 1000},
        {"memory-units", json::array{"KiB", "MiB", "GiB", "TiB"}},
        {"memory-bytes", 1024},
    };
    return all;
}

RpcMethods::Answer RpcMethods::session_get(const json::object& args) {
    json::object all = session_values();
    const json::value* fields = args.if_contains("fields");
    if (!fields) return all;
    if (!fields->is_array()) return make_error("'fields' is not an array");
    json::object chosen;
    for (const auto& f : fields->get_array()) {
        if (!f.is_string()) continue;
        if (auto* v = all.if_contains(f.get_string())) chosen[f.get_string()] = *v;
    }
    return chosen;
}

namespace {

// Reads one session-set argument into `target`; an error names the key.
template <typename T, typename Read>
Result<Done> take(const json::object& args, std::string_view key, T& target, Read read) {
    const json::value* v = args.if_contains(key);
    if (!v) return Done{};
    auto value = read(*v);
    if (!value) return make_error("session-set: '" + std::string(key) + "' has the wrong type");
    target = static_cast<T>(*value);
    return Done{};
}

Result<Done> take_speed(const json::object& args, std::string_view key, std::int64_t& target) {
    if (auto done = take(args, key, target, as_integer); !done) return done;
    if (target < 0 || target > 100'000'000) return make_error("session-set: '" + std::string(key) + "' is out of range");
    return Done{};
}

// A queue's size or the minutes until a torrent is stalled: at least 1.
template <typename T>
Result<Done> take_count(const json::object& args, std::string_view key, T& target) {
    std::int64_t value = target;
    if (auto done = take(args, key, value, as_integer); !done) return done;
    if (value < 1 || value > 100'000) return make_error("session-set: '" + std::string(key) + "' must be from 1 to 100000");
    target = static_cast<T>(value);
    return Done{};
}

}  // namespace

RpcMethods::Answer RpcMethods::session_set(const json::object& args) {
    RuntimeSettings next = runtime_;
    std::vector<std::string> refused;
    const json::object current = session_values();
    for (const auto& [key, value] : args) {
        static constexpr std::string_view k_settable[] = {
            "download-dir",       "start-added-torrents", "speed-limit-up",      "speed-limit-up-enabled",
            "speed-limit-down",   "speed-limit-down-enabled", "alt-speed-up",    "alt-speed-down",
            "alt-speed-enabled",  "peer-limit-global",    "peer-limit-per-torrent", "seedRatioLimit",
            "seedRatioLimited",   "download-queue-enabled", "download-queue-size", "seed-queue-enabled",
            "seed-queue-size",    "queue-stalled-enabled", "queue-stalled-minutes"};
        // What session-get reports that is no setting at all.
        static constexpr std::string_view k_read_only[] = {
            "version", "rpc-version", "rpc-version-minimum", "rpc-version-semver", "session-id",
            "config-dir", "download-dir-free-space", "units"};
        if (std::find(std::begin(k_settable), std::end(k_settable), key) != std::end(k_settable)) continue;
        if (std::find(std::begin(k_read_only), std::end(k_read_only), key) != std::end(k_read_only)) continue;
        // Anything else only as it already is: a client that sends its whole form back works,
        // and a change Shoal cannot make is said rather than dropped.
        const json::value* now = current.if_contains(key);
        if (!now || *now != value) refused.emplace_back(key);
    }
    if (!refused.empty()) {
        std::string names;
        for (const auto& k : refused) names += (names.empty() ? "" : ", ") + k;
        return make_error("session-set: Shoal cannot change " + names + " while it runs");
    }
    const auto string = [](const json::value& v) -> std::optional<std::string> {
        if (!v.is_string()) return std::nullopt;
        return std::string(v.get_string());
    };
    control::QueueSettings queue = control_.queue_settings();
    std::int64_t stalled_minutes = queue.stalled_after.count();
    std::string dir = next.download_dir.string();
    for (auto done : {take(args, "download-dir", dir, string),
                      take(args, "start-added-torrents", next.start_added_torrents, as_flag),
                      take_speed(args, "speed-limit-up", next.speed_limit_up),
                      take(args, "speed-limit-up-enabled", next.speed_limit_up_enabled, as_flag),
                      take_speed(args, "speed-limit-down", next.speed_limit_down),
                      take(args, "speed-limit-down-enabled", next.speed_limit_down_enabled, as_flag),
                      take_speed(args, "alt-speed-up", next.alt_speed_up),
                      take_speed(args, "alt-speed-down", next.alt_speed_down),
                      take(args, "alt-speed-enabled", next.alt_speed_enabled, as_flag),
                      take(args, "peer-limit-global", next.peer_limit_global, as_integer),
                      take(args, "peer-limit-per-torrent", next.peer_limit_per_torrent, as_integer),
                      take(args, "seedRatioLimit", next.seed_ratio_limit, as_number),
                      take(args, "seedRatioLimited", next.seed_ratio_limited, as_flag),
                      take(args, "download-queue-enabled", queue.download_enabled, as_flag),
                      take_count(args, "download-queue-size", queue.download_size),
                      take(args, "seed-queue-enabled", queue.seed_enabled, as_flag),
                      take_count(args, "seed-queue-size", queue.seed_size),
                      take(args, "queue-stalled-enabled", queue.stalled_enabled, as_flag),
                      take_count(args, "queue-stalled-minutes", stalled_minutes)}) {
        if (!done) return done.error();
    }
    next.download_dir = dir;
    if (!next.download_dir.is_absolute()) return make_error("session-set: 'download-dir' is not an absolute path");
    if (next.seed_ratio_limit < 0 || next.seed_ratio_limit > 1e6) {
        return make_error("session-set: 'seedRatioLimit' is out of range");
    }
    if (auto applied = apply_runtime(next); !applied) return make_error("session-set: " + applied.error().message);
    queue.stalled_after = std::chrono::minutes(stalled_minutes);
    if (queue != control_.queue_settings()) control_.set_queue_settings(queue);
    return json::object{};
}

Result<Done> RpcMethods::apply_runtime(const RuntimeSettings& next) {
    if (next.peer_limit_global < 1 || next.peer_limit_global > 65535)
        return make_error("'peer-limit-global' must be from 1 to 65535");
    if (next.peer_limit_per_torrent < 1 || next.peer_limit_per_torrent > 65535)
        return make_error("'peer-limit-per-torrent' must be from 1 to 65535");
    if (auto done = control_.set_rate_limits(next.upload_limit(), next.download_limit()); !done) return done;
    if (auto done = control_.set_max_connections(next.peer_limit_global); !done) return done;
    if (auto done = control_.set_max_peers_per_torrent(next.peer_limit_per_torrent); !done) return done;
    control::SeedLimits limits = facts_.seed_limits;
    limits.ratio = next.seed_ratio_limited ? next.seed_ratio_limit : 0;
    control_.set_seed_limits(limits);
    runtime_ = next;
    return Done{};
}

RpcMethods::Answer RpcMethods::session_stats() {
    const auto torrents = control_.summaries();
    std::int64_t paused = 0;
    double down = 0;
    double up = 0;
    std::int64_t uploaded = removed_uploaded_;
    std::int64_t downloaded = removed_downloaded_;
    for (const auto& s : torrents) {
        if (s.stats.state == TorrentState::paused) ++paused;
        down += s.stats.download_rate;
        up += s.stats.upload_rate;
        uploaded += s.stats.uploaded;
        downloaded += s.stats.downloaded;
    }
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now_() - started_).count();
    json::object out;
    out["activeTorrentCount"] = static_cast<std::int64_t>(torrents.size()) - paused;
    out["pausedTorrentCount"] = paused;
    out["torrentCount"] = torrents.size();
    out["downloadSpeed"] = static_cast<std::int64_t>(down);
    out["uploadSpeed"] = static_cast<std::int64_t>(up);
    // This run only: Shoal keeps no totals over its runs, so cumulative-stats is left out.
    out["current-stats"] = json::object{{"uploadedBytes", uploaded},
                                        {"downloadedBytes", downloaded},
                                        {"filesAdded", added_},
                                        {"sessionCount", 1},
                                        {"secondsActive", seconds}};
    return out;
}

RpcMethods::Answer RpcMethods::free_space(const json::object& args) {
    const json::value* path = args.if_contains("path");
    if (!path || !path->is_string()) return make_error("free-space: no 'path' was given");
    const std::filesystem::path folder(std::string(path->get_string()));
    if (!folder.is_absolute()) return make_error("free-space: the path is not absolute");
    std::error_code ec;
    const auto space = std::filesystem::space(folder, ec);
    if (ec) return make_error("free-space: " + folder.string() + ": " + ec.message());
    return json::object{{"path", folder.string()},
                        {"size-bytes", static_cast<std::int64_t>(space.available)},
                        {"total_size", static_cast<std::int64_t>(space.capacity)}};
}

}  // namespace shoal::daemon
