// The session's methods: session-get, session-set, session-stats and free-space.
#include <algorithm>
#include <type_traits>

#include "daemon/rpc_methods.hpp"
#include "daemon/rpc_values.hpp"

namespace json = boost::json;

namespace shoal::daemon {

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
    std::error_code ec;
    const auto space = std::filesystem::space(r.download_dir, ec);
    all["download-dir-free-space"] = ec ? std::int64_t{-1} : static_cast<std::int64_t>(space.available);
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
    for (auto& [key, value] : runtime_values(r)) all[key] = value;
    // What Shoal has none of: no blocklist, partial-file names, scripts or trashing.
    all["trash-original-torrent-files"] = false;
    all["blocklist-enabled"] = false;
    all["rename-partial-files"] = false;
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

RpcMethods::Answer RpcMethods::session_set(const json::object& args) {
    std::vector<std::string> refused;
    std::vector<std::string> changed;
    const json::object current = session_values();
    const auto& settable = runtime_keys();
    for (const auto& [key, value] : args) {
        // What session-get reports that is no setting at all.
        static constexpr std::string_view k_read_only[] = {
            "version", "rpc-version", "rpc-version-minimum", "rpc-version-semver", "session-id",
            "config-dir", "download-dir-free-space", "units"};
        const std::string name(key.data(), key.size());
        if (std::find(settable.begin(), settable.end(), name) != settable.end()) {
            changed.push_back(name);
            continue;
        }
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
    RuntimeSettings next = runtime_;
    if (auto taken = take_runtime_values(next, args); !taken) return make_error("session-set: " + taken.error().message);
    // A new schedule takes over at once; the same one sent back leaves a change by hand alone.
    if (next.alt_speed_time != runtime_.alt_speed_time) schedule_seen_.reset();
    if (auto applied = apply_runtime(next); !applied) return make_error("session-set: " + applied.error().message);
    saved_.keep(changed, runtime_, config_);
    if (auto saved = saved_.save(); !saved) {
        problems_.push_back("session-set's changes hold until shoald stops: " + saved.error().message);
    }
    return json::object{};
}

Result<Done> RpcMethods::apply_runtime(const RuntimeSettings& next) {
    if (auto done = control_.set_rate_limits(next.upload_limit(), next.download_limit()); !done) return done;
    if (auto done = control_.set_max_connections(next.peer_limit_global); !done) return done;
    if (auto done = control_.set_max_peers_per_torrent(next.peer_limit_per_torrent); !done) return done;
    control_.set_seed_limits(next.seed_limits(facts_.seed_limits));
    if (next.queue != control_.queue_settings()) control_.set_queue_settings(next.queue);
    runtime_ = next;
    return Done{};
}

void RpcMethods::config_changed(const DaemonFacts& read) {
    DaemonFacts facts = read;
    facts.download_dir = facts_.download_dir;
    facts.incomplete_dir = facts_.incomplete_dir;
    const RuntimeSettings config = runtime_settings(facts);
    // Compared and taken to the byte: a limit the file changed within the same kB/s is changed.
    const json::object before = runtime_values(config_, SpeedUnits::bytes);
    const json::object after = runtime_values(config, SpeedUnits::bytes);
    json::object changes;
    for (const auto& key : runtime_keys()) {
        if (before.at(key) == after.at(key)) continue;
        changes[key] = after.at(key);
        saved_.forget(key);
    }
    RuntimeSettings next = runtime_;
    if (auto taken = take_runtime_values(next, changes, SpeedUnits::bytes); !taken) {
        problems_.push_back("the config file's settings are not applied: " + taken.error().message);
        return;
    }
    if (next.alt_speed_time != runtime_.alt_speed_time) schedule_seen_.reset();
    facts_.seed_limits = read.seed_limits;  // the seed time, which session-set does not change
    config_ = config;
    if (auto applied = apply_runtime(next); !applied) {
        problems_.push_back("the config file's settings are not applied: " + applied.error().message);
    }
    if (changes.empty()) return;
    if (auto saved = saved_.save(); !saved) problems_.push_back(saved.error().message);
}

void RpcMethods::follow_schedule(LocalMinute now) {
    if (!runtime_.alt_speed_time.enabled) {
        schedule_seen_.reset();
        return;
    }
    const bool on = alt_speed_time(runtime_.alt_speed_time, now);
    if (schedule_seen_ == on) return;
    schedule_seen_ = on;
    if (runtime_.alt_speed_enabled == on) return;
    RuntimeSettings next = runtime_;
    next.alt_speed_enabled = on;
    if (auto applied = apply_runtime(next); !applied) {
        problems_.push_back("the alternative speeds' schedule: " + applied.error().message);
    }
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
