#pragma once
// Flags shared by `seed` and `get`, and running a session until the work is done.

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "control/controller.hpp"

namespace shoal::cli {

// $XDG_STATE_HOME/shoal, or ~/.local/state/shoal; empty when neither variable is set.
std::string default_state_dir();

struct SwarmOptions {
    std::uint16_t port = 6881;
    std::string listen;  // "": IPv4 and IPv6
    std::string interface;
    std::vector<std::string> peers;
    std::string up_limit;
    std::string down_limit;
    int max_peers = 50;
    double seed_ratio = 0;   // 0: no limit
    double seed_time = 0;    // minutes, 0: no limit
    int seed_idle = 0;       // minutes without uploading, 0: no limit
    bool no_dht = false;
    bool no_pex = false;
    bool no_lsd = false;
    bool no_utp = false;
    bool no_tcp = false;
    bool no_port_mapping = false;
    bool no_holepunch = false;
    std::vector<std::string> dht_bootstrap;
    std::string encryption = "prefer";
    bool json = false;
    bool verbose = false;
    std::string config;
    // Resume data lives here; empty keeps none.
    std::string state_dir = default_state_dir();
};

// Registers --port, --listen, --interface, --peer, --up-limit, --down-limit, --max-peers, --seed-ratio,
// --seed-time, --seed-idle, --state-dir, --no-dht, --no-pex, --no-lsd, --dht-bootstrap, --encryption, --json, and
// --config FILE (TOML with the same names as the long flags).
void add_swarm_options(CLI::App& cmd, SwarmOptions& options);

// "500K", "2M", "1048576": bytes per second; nullopt when malformed.
std::optional<std::int64_t> parse_rate(const std::string& text);

// Resolves HOST:PORT (IPv6 as [addr]:port) to an endpoint; nullopt with a message on failure.
Result<boost::asio::ip::tcp::endpoint> parse_peer(const std::string& text);

// The control layer's settings from the options (the peers aside), each checked; a message
// naming the option that is wrong.
Result<control::ControllerSettings> controller_settings(const SwarmOptions& options);

struct RunGoal {
    bool exit_when_finished = false;  // `get` without --seed
};

// Starts the control layer (no saved list: resume data only), adds the torrent, shows status,
// handles SIGINT/SIGTERM, and stops at a seed limit; the exit code.
int run_swarm(const SwarmOptions& options, control::AddTorrent torrent, RunGoal goal);

}  // namespace shoal::cli
