#pragma once
// Transmission's RPC methods (docs/rpc-spec.md, RPC version 17) over the control layer: one
// JSON request in, one JSON answer out, carrying the request's tag. What Shoal cannot do is
// said in `result`.

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
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

private:
    using Answer = Result<boost::json::object>;
    Answer call(std::string_view method, const boost::json::object& args);
    Answer session_get(const boost::json::object& args);
    Answer session_stats();
    Answer torrent_add(const boost::json::object& args);
    Answer torrent_get(const boost::json::object& args);
    Answer torrent_action(std::string_view method, const boost::json::object& args);
    Answer torrent_remove(const boost::json::object& args);
    // The torrents `ids` names (all when absent), in the order they were added.
    Result<std::vector<control::TorrentSummary>> select(const boost::json::object& args) const;

    control::TorrentControl& control_;
    DaemonFacts facts_;
    std::function<std::chrono::steady_clock::time_point()> now_;
    std::chrono::steady_clock::time_point started_;
    std::set<std::uint32_t> known_ids_;  // as of the last recently-active torrent-get
    std::int64_t removed_uploaded_ = 0;  // this run's bytes of torrents removed since
    std::int64_t removed_downloaded_ = 0;
    std::int64_t added_ = 0;
};

}  // namespace shoal::daemon
