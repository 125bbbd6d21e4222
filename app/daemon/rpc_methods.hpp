#pragma once
// Transmission's RPC methods (docs/rpc-spec.md, RPC version 17) over the control layer: one
// JSON request in, one JSON answer out, carrying the request's tag. What Shoal cannot do is
// said in `result`.

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "control/seed_rules.hpp"
#include "control/torrent_control.hpp"
#include "session/settings.hpp"

namespace shoal::daemon {

// What session-get reports besides the torrents: the settings the session started with.
struct DaemonFacts {
    std::string version;  // "Shoal 0.1.0"
    std::string session_id;
    std::filesystem::path download_dir;  // for torrents added without download-dir
    std::filesystem::path config_dir;    // the state folder
    SessionSettings settings;
    control::SeedLimits seed_limits;
};

// What session-set changes while the daemon runs (speeds in Transmission's kB/s of 1,000 bytes).
struct RuntimeSettings {
    std::filesystem::path download_dir;
    bool start_added_torrents = true;
    std::int64_t speed_limit_up = 100;
    bool speed_limit_up_enabled = false;
    std::int64_t speed_limit_down = 100;
    bool speed_limit_down_enabled = false;
    // The alternative ("turtle") limits, both in force while alt_speed_enabled.
    std::int64_t alt_speed_up = 50;
    std::int64_t alt_speed_down = 50;
    bool alt_speed_enabled = false;
    int peer_limit_global = 0;
    int peer_limit_per_torrent = 0;
    double seed_ratio_limit = 2;
    bool seed_ratio_limited = false;

    // The session's limits in bytes per second (0: none) that follow from the above.
    std::int64_t upload_limit() const;
    std::int64_t download_limit() const;
};

RuntimeSettings runtime_settings(const DaemonFacts& facts);

inline constexpr int k_rpc_version = 17;
inline constexpr int k_rpc_version_minimum = 14;
inline constexpr std::size_t k_max_torrent_file_bytes = 64 * 1024 * 1024;

class RpcMethods {
public:
    RpcMethods(control::TorrentControl& control, DaemonFacts facts,
               std::function<std::chrono::steady_clock::time_point()> now = [] {
                   return std::chrono::steady_clock::now();
               });

    // A request body in, the answer's body out (always a JSON object with `result`).
    std::string handle(std::string_view body);

    // Called for session-close, after its answer is made.
    void on_close(std::function<void()> close) { close_ = std::move(close); }
    const RuntimeSettings& runtime() const { return runtime_; }

private:
    using Answer = Result<boost::json::object>;
    Answer call(std::string_view method, const boost::json::object& args);
    Answer session_get(const boost::json::object& args);
    Answer session_set(const boost::json::object& args);
    Answer session_stats();
    Answer free_space(const boost::json::object& args);
    Answer torrent_set(const boost::json::object& args);
    Answer torrent_rename_path(const boost::json::object& args);
    Answer torrent_set_location(const boost::json::object& args);
    // Moves the torrents' data to `location`, or (without `move`) looks for it there.
    Answer move_torrents(const std::vector<control::TorrentSummary>& torrents, const boost::json::value& location,
                         bool move);
    // Everything session-get reports.
    boost::json::object session_values();
    Result<Done> apply_runtime(const RuntimeSettings& next);
    Answer torrent_add(const boost::json::object& args);
    Answer torrent_get(const boost::json::object& args);
    Answer torrent_action(std::string_view method, const boost::json::object& args);
    Answer torrent_remove(const boost::json::object& args);
    // The torrents `ids` names (all when absent), in the order they were added.
    Result<std::vector<control::TorrentSummary>> select(const boost::json::object& args) const;
    // For `ids: "recently-active"`; notes what it sees.
    bool recently_active(const control::TorrentSummary& s);

    control::TorrentControl& control_;
    DaemonFacts facts_;
    std::function<std::chrono::steady_clock::time_point()> now_;
    std::chrono::steady_clock::time_point started_;
    RuntimeSettings runtime_;
    std::function<void()> close_;
    // For recently-active: when each torrent was last seen active (moving data, checking, or
    // changing state), and when torrents left the list.
    std::map<std::uint32_t, std::chrono::steady_clock::time_point> removed_at_;
    struct Activity {
        TorrentState state;
        std::chrono::steady_clock::time_point last_active;
    };
    std::map<std::uint32_t, Activity> activity_;
    std::int64_t removed_uploaded_ = 0;  // this run's bytes of torrents removed since
    std::int64_t removed_downloaded_ = 0;
    std::int64_t added_ = 0;
};

}  // namespace shoal::daemon
