#pragma once
// shoald's settings: the command line and `--config FILE` (TOML, keys named as the long
// options with _ for -), checked and turned into what the daemon runs with.

#include <CLI/CLI.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <string>
#include <vector>

#include "cli/swarm_options.hpp"
#include "control/controller.hpp"
#include "daemon/log.hpp"
#include "daemon/rpc_access.hpp"
#include "daemon/runtime_settings.hpp"

namespace shoal::daemon {

struct DaemonOptions {
    cli::SwarmOptions swarm;  // its state_dir is the daemon's state folder
    std::string download_dir;  // "": <state_dir>/downloads
    std::string incomplete_dir;  // "": none
    std::string watch_dir;     // "": none
    std::string rpc_bind = "127.0.0.1:9091";
    std::string rpc_username;  // "": no authentication
    std::string rpc_password;  // plain or hashed (password_hash.hpp)
    std::string rpc_password_file;
    std::vector<std::string> rpc_whitelist = {"127.0.0.0/8", "::1"};
    std::vector<std::string> rpc_host_whitelist;
    std::string log_level = "info";
    // The alternative speeds (bytes/s as up_limit, "": Transmission's 50 kB/s) and their schedule.
    std::string alt_speed_up;
    std::string alt_speed_down;
    bool alt_speed_time_enabled = false;
    std::string alt_speed_time_begin = "09:00";
    std::string alt_speed_time_end = "17:00";
    std::string alt_speed_time_day = "all";
    // The torrent queue, as Transmission's defaults; 0 turns each off.
    int download_queue_size = 5;
    int seed_queue_size = 0;
    int queue_stalled_minutes = 30;
    std::string config;
    bool foreground = false;
    bool print_config = false;
    bool hash_password = false;
};

// Every option of the daemon and its config file (the swarm's but --peer, --json, --verbose).
void add_daemon_options(CLI::App& app, DaemonOptions& options);

// The command line with --config FILE replaced by the file's settings.
Result<std::vector<std::string>> expand_config(const CLI::App& app, std::vector<std::string> args);

// The command line (after the program's name) read into `options` through `app` (which
// add_daemon_options set up): the config file's errors returned, the command line's thrown
// as CLI::ParseError (--help and --version too).
Result<Done> parse_command_line(CLI::App& app, const std::vector<std::string>& args);

// The queue settings the options give (0 turning a queue off); an error names the option.
Result<control::QueueSettings> queue_settings(const DaemonOptions& options);

struct DaemonSetup {
    control::ControllerSettings control;
    std::filesystem::path download_dir;
    std::filesystem::path incomplete_dir;  // empty: none
    std::filesystem::path watch_dir;  // empty: none
    boost::asio::ip::tcp::endpoint rpc_bind;
    RpcAccess access;  // without the session id
    LogLevel log_level = LogLevel::info;
    std::int64_t alt_speed_up = 0;  // bytes per second, 0: Transmission's 50 kB/s
    std::int64_t alt_speed_down = 0;
    AltSpeedSchedule alt_speed_schedule;
};

// The session's settings that the RPC reports and session-set changes, as `setup` says them
// (the version and session id left empty).
DaemonFacts daemon_facts(const DaemonSetup& setup);

// Checked; paths made absolute; the password read and hashed. A message naming the setting
// that is wrong.
Result<DaemonSetup> daemon_setup(const DaemonOptions& options);

struct DaemonSettings {
    DaemonOptions options;
    DaemonSetup setup;
};

// The command line read and checked as at start-up (parse_command_line, daemon_setup), for a
// reload: every error, the command line's too, returned.
Result<DaemonSettings> load_settings(const std::vector<std::string>& args);

// The effective settings as a config file (the password left out).
std::string effective_config(const DaemonOptions& options, const DaemonSetup& setup);

}  // namespace shoal::daemon
