#include "cli/swarm_options.hpp"

#include <boost/json.hpp>
#include <fmt/core.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>

#include "cli/exit_codes.hpp"
#include "cli/format.hpp"
#include "cli/port_mapping_report.hpp"
#include "util/endpoint.hpp"

namespace shoal::cli {
namespace {

std::atomic<int> g_signals{0};

extern "C" void on_signal(int) {
    // The second interrupt does not wait for a clean shutdown.
    if (g_signals.fetch_add(1) >= 1) _exit(130);
}

void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

std::string eta_text(double seconds) {
    if (seconds <= 0 || seconds > 100 * 24 * 3600) return "-";
    const auto s = static_cast<std::int64_t>(seconds);
    if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
    if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
    return fmt::format("{}s", s);
}

double progress(const TorrentStats& s) {
    if (s.state == TorrentState::fetching_metadata) return 0;
    return s.total_wanted > 0 ? static_cast<double>(s.total_wanted_done) / static_cast<double>(s.total_wanted) : 1.0;
}

void print_status(const TorrentStats& s) {
    const double left = static_cast<double>(s.total_wanted - s.total_wanted_done);
    fmt::print(stderr, "\r[{}] {:5.1f}%  {} / {}  DL {}/s  UL {}/s  peers {} (seeds {})  ETA {}\x1b[K",
               to_string(s.state), progress(s) * 100, human_size(s.total_wanted_done),
               human_size(s.total_wanted), human_size(static_cast<std::int64_t>(s.download_rate)),
               human_size(static_cast<std::int64_t>(s.upload_rate)), s.peers, s.seeds,
               eta_text(s.download_rate > 0 ? left / s.download_rate : 0));
    std::fflush(stderr);
}

boost::json::object network_json(const NetworkState& n) {
    boost::json::object o;
    o["listening_on"] = n.listening_on;
    if (!n.interface.empty()) {
        o["interface"] = n.interface;
        o["interface_up"] = n.interface_up;
        if (!n.interface_problem.empty()) o["interface_problem"] = n.interface_problem;
    }
    boost::json::array mappings;
    for (const auto& m : n.port_mapping) {
        boost::json::object j;
        j["protocol"] = m.protocol;
        j["state"] = m.state;
        if (!m.external_address.empty()) j["external_address"] = m.external_address;
        if (m.external_port) j["external_port"] = m.external_port;
        if (!m.error.empty()) j["error"] = m.error;
        mappings.push_back(std::move(j));
    }
    o["port_mapping"] = std::move(mappings);
    o["external_address"] = n.external_address;
    o["announce_port"] = n.announce_port;
    return o;
}

boost::json::array web_seeds_json(const std::vector<WebSeedInfo>& seeds) {
    boost::json::array out;
    for (const auto& w : seeds) {
        boost::json::object j;
        j["url"] = w.url;
        j["state"] = w.state;
        j["download_rate"] = static_cast<std::int64_t>(w.download_rate);
        j["downloaded"] = w.downloaded;
        j["missing_files"] = w.missing_files;
        if (!w.error.empty()) j["error"] = w.error;
        out.push_back(std::move(j));
    }
    return out;
}

// One status line; `web_seeds` each with its state and rate.
void print_json(const TorrentStats& s, const NetworkState& network, const std::vector<WebSeedInfo>& web_seeds) {
    boost::json::object o;
    o["state"] = std::string(to_string(s.state));
    o["progress"] = progress(s);
    o["wanted_bytes"] = s.total_wanted;
    o["done_bytes"] = s.total_wanted_done;
    o["downloaded"] = s.downloaded;
    o["uploaded"] = s.uploaded;
    o["all_time_downloaded"] = s.all_time_downloaded;
    o["all_time_uploaded"] = s.all_time_uploaded;
    o["download_rate"] = static_cast<std::int64_t>(s.download_rate);
    o["upload_rate"] = static_cast<std::int64_t>(s.upload_rate);
    o["peers"] = s.peers;
    o["seeds"] = s.seeds;
    o["encrypted_peers"] = s.encrypted_peers;
    o["utp_peers"] = s.utp_peers;
    o["web_seeds_active"] = s.web_seeds;
    o["web_seeds"] = web_seeds_json(web_seeds);
    o["network"] = network_json(network);
    fmt::print("{}\n", boost::json::serialize(o));
}

void log_event(const Event& e) {
    if (auto* c = std::get_if<event::PeerConnected>(&e)) {
        fmt::print(stderr, "peer {} connected ({}, {}{})\n", c->address, c->client, c->transport,
                   c->encrypted ? ", encrypted" : "");
    } else if (auto* d = std::get_if<event::PeerDisconnected>(&e)) {
        fmt::print(stderr, "peer {} left: {}\n", d->address, d->reason);
    } else if (auto* f = std::get_if<event::ConnectFailed>(&e)) {
        fmt::print(stderr, "could not connect to {}: {}\n", f->address, f->reason);
    } else if (auto* h = std::get_if<event::HashFailed>(&e)) {
        fmt::print(stderr, "piece {} failed its hash check\n", h->piece);
    } else if (auto* t = std::get_if<event::TrackerReply>(&e)) {
        if (t->ok) {
            fmt::print(stderr, "tracker {}: {} peers{}{}\n", t->url, t->peers, t->message.empty() ? "" : ", ", t->message);
        } else {
            fmt::print(stderr, "tracker {} failed: {}\n", t->url, t->message);
        }
    } else if (auto* n = std::get_if<event::Notice>(&e)) {
        fmt::print(stderr, "{}\n", n->message);
    } else if (auto* r = std::get_if<event::ResumeDataChecked>(&e)) {
        if (r->trusted) {
            fmt::print(stderr, "resume data matches the files: not checking them again\n");
        } else {
            fmt::print(stderr, "checking the files ({})\n", r->reason);
        }
    } else if (auto* s = std::get_if<event::StateChanged>(&e)) {
        fmt::print(stderr, "state: {}\n", to_string(s->state));
    }
}

}  // namespace

std::string default_state_dir() {
    const char* state = std::getenv("XDG_STATE_HOME");
    if (state && *state == '/') return std::string(state) + "/shoal";
    const char* home = std::getenv("HOME");
    if (home && *home == '/') return std::string(home) + "/.local/state/shoal";
    return {};
}

std::optional<std::int64_t> parse_rate(const std::string& text) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || value < 0) return std::nullopt;
    const std::string_view suffix(end, static_cast<std::size_t>(text.data() + text.size() - end));
    if (suffix.empty()) return value;
    if (suffix == "K" || suffix == "k") return value * 1024;
    if (suffix == "M" || suffix == "m") return value * 1024 * 1024;
    return std::nullopt;
}

Result<boost::asio::ip::tcp::endpoint> parse_peer(const std::string& text) {
    auto parts = split_host_port(text);
    if (!parts) return make_error("peer '" + text + "' " + parts.error().message);
    if (auto endpoint = parse_ip_endpoint(text)) return *endpoint;
    // A host name: resolve it once, now.
    boost::system::error_code ec;
    boost::asio::io_context io;
    boost::asio::ip::tcp::resolver resolver(io);
    auto results = resolver.resolve(parts->host, std::to_string(parts->port), ec);
    if (ec || results.empty()) return make_error("cannot resolve peer host '" + parts->host + "'");
    return results.begin()->endpoint();
}

void add_swarm_options(CLI::App& cmd, SwarmOptions& o) {
    cmd.add_option("--port", o.port, "Port to listen on for peers (default 6881; 0 picks a free one)");
    cmd.add_option("--listen", o.listen,
                   "Address to listen on (default: every IPv4 and IPv6 address; :: for IPv6 with IPv4 mapped)");
    cmd.add_option("--interface", o.interface,
                   "Use this network interface alone (a VPN's, say): every connection goes through it, and "
                   "none by another route when it is down");
    cmd.add_option("--peer", o.peers, "Connect to this peer, HOST:PORT; repeatable");
    cmd.add_option("--up-limit", o.up_limit, "Upload limit in bytes/s (K and M suffixes; 0 = none)");
    cmd.add_option("--down-limit", o.down_limit, "Download limit in bytes/s (K and M suffixes; 0 = none)");
    cmd.add_option("--max-peers", o.max_peers, "Most peers to connect with")->check(CLI::Range(1, 10000));
    cmd.add_option("--seed-ratio", o.seed_ratio, "Stop seeding at this upload ratio (0 = never)")
        ->check(CLI::NonNegativeNumber);
    cmd.add_option("--seed-time", o.seed_time, "Stop seeding after this many minutes (0 = never)")
        ->check(CLI::NonNegativeNumber);
    cmd.add_option("--seed-idle", o.seed_idle,
                   "Stop seeding after this many minutes without uploading anything (0 = never)")
        ->check(CLI::Range(0, 1'000'000));
    cmd.add_option("--state-dir", o.state_dir,
                   "Folder for resume data, so a restart need not check the files (\"\" keeps none)")
        ->capture_default_str();
    cmd.add_flag("--no-dht", o.no_dht, "Do not use the DHT to find peers");
    cmd.add_flag("--no-pex", o.no_pex, "Do not exchange peers with peers (PEX)");
    cmd.add_flag("--no-lsd", o.no_lsd, "Do not look for peers on the local network");
    cmd.add_flag("--no-utp", o.no_utp, "Use TCP only: neither accept nor dial uTP connections");
    cmd.add_flag("--no-tcp", o.no_tcp, "Use uTP only: neither accept nor dial TCP connections");
    cmd.add_flag("--no-port-mapping", o.no_port_mapping,
                 "Do not ask the router (UPnP, NAT-PMP) to forward the listen port");
    cmd.add_flag("--no-holepunch", o.no_holepunch,
                 "Do not punch holes through NATs (BEP 55): neither relay for peers nor ask one to");
    cmd.add_option("--dht-bootstrap", o.dht_bootstrap,
                   "Join the DHT through this node, HOST:PORT; repeatable (default: the public routers)");
    cmd.add_option("--encryption", o.encryption,
                   "Encrypted connections (MSE/PE): prefer (try it, fall back to plain), require, or disable")
        ->capture_default_str();
    cmd.add_flag("--json", o.json, "Print one JSON status object per second");
    cmd.add_flag("-v,--verbose", o.verbose, "Log peers connecting and leaving, bans and hash failures");
    // Read before parsing (see config_file.hpp); declared here for --help and validation.
    cmd.add_option("--config", o.config, "TOML file with the same names as the long options");
}

Result<control::ControllerSettings> controller_settings(const SwarmOptions& o) {
    control::ControllerSettings control_settings;
    control_settings.seed_limits.ratio = o.seed_ratio;
    control_settings.seed_limits.time =
        std::chrono::ceil<std::chrono::milliseconds>(std::chrono::duration<double, std::ratio<60>>(o.seed_time));
    control_settings.seed_limits.idle = std::chrono::minutes(o.seed_idle);
    SessionSettings& settings = control_settings.session;
    settings.listen_host = o.listen;
    settings.listen_port = o.port;
    settings.network_interface = o.interface;
    settings.max_peers_per_torrent = o.max_peers;
    settings.state_dir = o.state_dir;
    settings.enable_dht = !o.no_dht;
    settings.enable_pex = !o.no_pex;
    settings.enable_lsd = !o.no_lsd;
    settings.enable_utp = !o.no_utp;
    settings.enable_tcp = !o.no_tcp;
    settings.enable_port_mapping = !o.no_port_mapping;
    settings.enable_holepunch = !o.no_holepunch;
    if (o.no_tcp && o.no_utp) {
        return make_error(ErrorCode::invalid_input, "--no-tcp and --no-utp together leave no way to reach a peer");
    }
    settings.dht_bootstrap = o.dht_bootstrap;
    for (const auto& node : o.dht_bootstrap) {
        // Names are looked up by the DHT when it starts; here only the form is checked.
        if (!split_host_port(node)) {
            return make_error(ErrorCode::invalid_input, "--dht-bootstrap '" + node + "' is not HOST:PORT");
        }
    }
    const auto encryption = parse_encryption_policy(o.encryption);
    if (!encryption) {
        return make_error(ErrorCode::invalid_input,
                          "invalid encryption '" + o.encryption + "' (use prefer, require or disable)");
    }
    settings.encryption = *encryption;
    const auto up = parse_rate(o.up_limit.empty() ? "0" : o.up_limit);
    const auto down = parse_rate(o.down_limit.empty() ? "0" : o.down_limit);
    if (!up || !down) {
        return make_error(ErrorCode::invalid_input,
                          "invalid rate limit (use bytes per second, with an optional K or M suffix)");
    }
    settings.upload_limit = *up;
    settings.download_limit = *down;
    if (listen_addresses(settings).empty()) {
        return make_error(ErrorCode::invalid_input, "invalid --listen address '" + settings.listen_host + "'");
    }
    return control_settings;
}

int run_swarm(const SwarmOptions& o, control::AddTorrent torrent, RunGoal goal) {
    auto checked = controller_settings(o);
    if (!checked) {
        print_error(checked.error().message);
        return k_exit_usage;
    }
    control::ControllerSettings control_settings = std::move(*checked);
    // A one-shot run: the list is what was asked for now; only resume data is kept.
    control_settings.keep_torrent_list = false;
    control_settings.seed_limit_action = control::SeedLimitAction::report;
    const SessionSettings& settings = control_settings.session;
    for (const auto& text : o.peers) {
        auto endpoint = parse_peer(text);
        if (!endpoint) {
            print_error(endpoint.error().message);
            return k_exit_usage;
        }
        torrent.peers.push_back(*endpoint);
    }

    install_signal_handlers();
    std::optional<control::Controller> session;
    try {
        session.emplace(control_settings);
    } catch (const std::exception& e) {
        print_error(e.what());
        return k_exit_network;
    }
    std::mutex mutex;
    std::condition_variable wake;
    bool woken = false;  // under `mutex`: a wake-up that came before the wait is not lost
    session->set_wakeup([&] {
        {
            std::lock_guard lock(mutex);
            woken = true;
        }
        wake.notify_one();
    });
    const std::int64_t total = torrent.info ? torrent.info->total_size : 0;
    const auto added = session->add(std::move(torrent));
    if (!added) {
        print_error(added.error().message);
        return added.error().code == ErrorCode::invalid_input ? k_exit_usage : k_exit_bad_input;
    }
    std::vector<WebSeedInfo> web_seeds;  // as of the last details, asked for once a second
    if (o.verbose || (!o.json && stderr_is_terminal())) {
        if (!settings.network_interface.empty())
            fmt::print(stderr, "using interface {} only\n", settings.network_interface);
        fmt::print(stderr, "listening on {}\n", session->listening_on());
        fmt::print(stderr, "peers connect over {}\n",
                   !settings.enable_tcp ? "uTP only" : settings.enable_utp ? "TCP and uTP" : "TCP only");
        std::fflush(stderr);
    }

    const bool terminal = stderr_is_terminal();
    int exit_code = k_exit_ok;
    bool finished = false;
    bool done = false;
    TorrentStats last;
    NetworkState network = session->network_state();
    PortMappingReport mapping_report;
    auto say_port_mapping = [&](const NetworkState& state) {
        for (const auto& line : mapping_report.update(state)) {
            if ((terminal || o.verbose) && !o.json)
                fmt::print(stderr, "{}port mapping: {}\n", terminal ? "\n" : "", line);
        }
    };
    say_port_mapping(network);
    // The status is said once a second: the session sends figures only when they change.
    auto next_status = std::chrono::steady_clock::now();
    bool have_stats = false;
    while (!done && g_signals.load() == 0) {
        {
            std::unique_lock lock(mutex);
            wake.wait_for(lock, std::chrono::milliseconds(200), [&] { return woken; });
            woken = false;
        }
        control::Published published = session->poll();
        for (auto& e : published.events) {
            if (auto* s = std::get_if<event::Stats>(&e)) {
                last = s->stats;
                have_stats = true;
            } else if (std::holds_alternative<event::TorrentFinished>(e)) {
                if (!finished && !o.json) {
                    // Said when it happens: a script waits for this line while we seed on.
                    if (terminal) fmt::print(stderr, "\r\x1b[K");
                    fmt::print("complete: {} verified on disk\n",
                               human_size(last.total_wanted ? last.total_wanted : total));
                }
                finished = true;
                if (goal.exit_when_finished) done = true;
            } else if (auto* err = std::get_if<event::Error>(&e)) {
                if (terminal) fmt::print(stderr, "\n");
                print_error(err->message);
                exit_code = k_exit_io;
                done = true;
            } else if (auto* n = std::get_if<event::NetworkStatus>(&e)) {
                network = *n->state;
                // Said when a mapping is made, fails or is lost, where a person looks.
                say_port_mapping(network);
            } else if (auto* d = std::get_if<event::Details>(&e)) {
                web_seeds = d->web_seeds;
            } else if (auto* m = std::get_if<event::MetadataReceived>(&e)) {
                if (terminal || o.verbose) fmt::print(stderr, "{}metadata received: {}\n", terminal ? "\n" : "", m->name);
            } else if (auto* ban = std::get_if<event::PeerBanned>(&e)) {
                if (terminal || o.verbose) fmt::print(stderr, "{}banned {}: {}\n", terminal ? "\n" : "", ban->address, ban->reason);
            } else if (o.verbose) {
                log_event(e);
            }
        }
        if (have_stats && (done || std::chrono::steady_clock::now() >= next_status)) {
            next_status = std::chrono::steady_clock::now() + std::chrono::seconds(1);
            if (o.json) {
                print_json(last, network, web_seeds);
                (void)session->request_details(*added);
            } else if (terminal) {
                print_status(last);
            }
        }
        // The control layer says when a seed limit is reached (only ever after the download
        // finished); this run then ends.
        if (!published.seed_limits_reached.empty()) done = true;
    }
    session->stop();
    if (terminal && !o.json) fmt::print(stderr, "\r\x1b[K");
    if (finished && exit_code == k_exit_ok && !o.json && !goal.exit_when_finished) {
        fmt::print("stopped: {} verified on disk\n", human_size(last.total_wanted ? last.total_wanted : total));
    }
    return exit_code;
}

}  // namespace shoal::cli
