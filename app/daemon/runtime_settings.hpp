#pragma once
// The session's settings as Transmission's RPC names them: what the daemon starts with, what
// session-set changes while it runs, and the one reading of those names that session-set, the
// settings kept across restarts (saved_settings) and a reload of the config file all go through.

#include <boost/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "control/seed_rules.hpp"
#include "control/torrent_queue.hpp"
#include "daemon/alt_speed_schedule.hpp"
#include "session/settings.hpp"
#include "util/result.hpp"

namespace shoal::daemon {

// What session-get reports besides the torrents: the settings the session started with.
struct DaemonFacts {
    std::string version;  // "Shoal 0.1.0"
    std::string session_id;
    std::filesystem::path download_dir;  // for torrents added without download-dir
    std::filesystem::path incomplete_dir;  // empty: none
    std::filesystem::path config_dir;    // the state folder
    SessionSettings settings;
    control::SeedLimits seed_limits;
    control::QueueSettings queue;
    // The alternative speeds in bytes per second (0: Transmission's 50 kB/s) and their schedule.
    std::int64_t alt_speed_up = 0;
    std::int64_t alt_speed_down = 0;
    AltSpeedSchedule alt_speed_schedule;
    // Where session-set's changes are kept across restarts; empty: they are not.
    std::filesystem::path saved_settings;
};

// What session-set changes while the daemon runs. Speeds are in bytes per second, to the byte
// as the config file gives them; the RPC says them in Transmission's kB/s (SpeedUnits).
struct RuntimeSettings {
    std::filesystem::path download_dir;
    // Where torrents added from now on keep their data until complete, when enabled.
    std::filesystem::path incomplete_dir;
    bool incomplete_dir_enabled = false;
    bool start_added_torrents = true;
    std::int64_t speed_limit_up = 100'000;  // Transmission's 100 kB/s
    bool speed_limit_up_enabled = false;
    std::int64_t speed_limit_down = 100'000;
    bool speed_limit_down_enabled = false;
    // The alternative ("turtle") limits, both in force while alt_speed_enabled.
    std::int64_t alt_speed_up = 50'000;  // Transmission's 50 kB/s
    std::int64_t alt_speed_down = 50'000;
    bool alt_speed_enabled = false;
    AltSpeedSchedule alt_speed_time;
    int peer_limit_global = 0;
    int peer_limit_per_torrent = 0;
    double seed_ratio_limit = 2;
    bool seed_ratio_limited = false;
    std::int64_t idle_seeding_limit = 30;  // minutes
    bool idle_seeding_limit_enabled = false;
    control::QueueSettings queue;  // the torrent queue, which the control layer keeps

    // The session's limits in bytes per second (0: none) that follow from the above.
    std::int64_t upload_limit() const;
    std::int64_t download_limit() const;
    // The seed limits that follow, the seed time taken from `base`.
    control::SeedLimits seed_limits(const control::SeedLimits& base) const;
};

// As the daemon's settings (config file and command line) say.
RuntimeSettings runtime_settings(const DaemonFacts& facts);

// How the values below say speeds: as the RPC does (whole kB/s: rpc_kilobytes), or exactly,
// in bytes per second (the saved settings file, and a reload telling what the file changed).
enum class SpeedUnits { rpc, bytes };

// Every setting session-set changes, by its RPC name, as session-get reports it.
boost::json::object runtime_values(const RuntimeSettings& settings, SpeedUnits units = SpeedUnits::rpc);

// The names runtime_values() has.
const std::vector<std::string>& runtime_keys();

// Takes the settings among `args` (RPC names; others are left alone) into `settings`, each
// checked; an error names the first key that is wrong and changes nothing. A speed in kB/s that
// is what session-get says of the running one leaves it to the byte (bytes_from_rpc).
Result<Done> take_runtime_values(RuntimeSettings& settings, const boost::json::object& args,
                                 SpeedUnits units = SpeedUnits::rpc);

}  // namespace shoal::daemon
