#include "daemon/daemon_config.hpp"

#include <openssl/crypto.h>
#include <toml++/toml.h>

#include <sstream>
#include <tuple>

#include "cli/config_file.hpp"
#include "daemon/password_files.hpp"
#include "util/endpoint.hpp"

namespace shoal::daemon {

void add_daemon_options(CLI::App& app, DaemonOptions& o) {
    cli::add_swarm_options(app, o.swarm);
    for (const char* name : {"--peer", "--json", "--verbose", "--config"}) app.remove_option(app.get_option(name));
    app.add_option("--config", o.config, "TOML file with the same names as the long options (state_dir = \"...\")");
    app.add_flag("--foreground", o.foreground, "Stay in the foreground, logging to stderr");
    app.add_option("--log-level", o.log_level, "Least important messages logged: error, warning, info or debug")
        ->capture_default_str();
    app.add_flag("--print-config", o.print_config, "Print the effective settings as a config file and exit");
    app.add_option("--download-dir", o.download_dir,
                   "Folder for torrents added without one (default: <state-dir>/downloads)");
    app.add_option("--incomplete-dir", o.incomplete_dir,
                   "Folder that holds a torrent's data until it is complete, then moved (default: none)");
    app.add_option("--watch-dir", o.watch_dir,
                   "Folder scanned every 2 s for .torrent files to add (renamed .added or .invalid after)");
    app.add_option("--download-queue-size", o.download_queue_size,
                   "Torrents downloading at once; the others wait their turn (0 = no queue)")
        ->capture_default_str();
    app.add_option("--seed-queue-size", o.seed_queue_size,
                   "Torrents seeding at once; the others wait their turn (0 = no queue)")
        ->capture_default_str();
    app.add_option("--queue-stalled-minutes", o.queue_stalled_minutes,
                   "A torrent that moved no data for this long leaves its queue slot to the next (0 = never)")
        ->capture_default_str();
    app.add_option("--rpc-bind", o.rpc_bind, "Address and port of the RPC server, IPv6 as [addr]:port")
        ->capture_default_str();
    app.add_option("--rpc-username", o.rpc_username, "User name the RPC asks for (default: none asked)");
    app.add_option("--rpc-password", o.rpc_password,
                   "Password that goes with --rpc-username, plain or as --hash-password prints it "
                   "(a config file's plain one is replaced by its hash)");
    app.add_option("--rpc-password-file", o.rpc_password_file,
                   "File whose first line is the password (plain or hashed), instead of --rpc-password");
    app.add_flag("--hash-password", o.hash_password,
                 "Read a password from standard input, print its hash for rpc_password, and exit");
    app.add_option("--rpc-whitelist", o.rpc_whitelist,
                   "Client address or CIDR range the RPC answers; repeatable (default: loopback)");
    app.add_option("--alt-speed-up", o.alt_speed_up,
                   "Alternative (\"turtle\") upload limit in bytes/s, K and M suffixes (default: 50 kB/s)");
    app.add_option("--alt-speed-down", o.alt_speed_down,
                   "Alternative download limit in bytes/s, K and M suffixes (default: 50 kB/s)");
    app.add_flag("--alt-speed-time-enabled", o.alt_speed_time_enabled,
                 "Turn the alternative limits on and off by the schedule below");
    app.add_option("--alt-speed-time-begin", o.alt_speed_time_begin, "When the alternative limits start, HH:MM")
        ->capture_default_str();
    app.add_option("--alt-speed-time-end", o.alt_speed_time_end,
                   "When they stop, HH:MM (earlier than the beginning: the next day)")
        ->capture_default_str();
    app.add_option("--alt-speed-time-day", o.alt_speed_time_day,
                   "Days the schedule starts on: all, weekdays, weekend, or names such as mon,tue,sat")
        ->capture_default_str();
    app.add_option("--rpc-host-whitelist", o.rpc_host_whitelist,
                   "Host name the RPC may be reached by besides IP addresses and localhost; repeatable");
}

Result<std::vector<std::string>> expand_config(const CLI::App& app, std::vector<std::string> args) {
    return cli::apply_command_config_file(
        app, std::move(args), {"config", "foreground", "print-config", "hash-password", "help", "version"});
}

Result<Done> parse_command_line(CLI::App& app, const std::vector<std::string>& args) {
    auto expanded = expand_config(app, args);
    if (!expanded) return expanded.error();
    // The file's settings replace --config; its name is kept (a plain password is rewritten there).
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size()) expanded->push_back("--config=" + args[i + 1]);
        if (args[i].starts_with("--config=")) expanded->push_back(args[i]);
    }
    std::vector<std::string> reversed(expanded->rbegin(), expanded->rend());
    app.parse(reversed);
    return Done{};
}

Result<control::QueueSettings> queue_settings(const DaemonOptions& o) {
    constexpr int k_most = 100'000;
    for (auto [name, value] : {std::pair{"download_queue_size", o.download_queue_size},
                               std::pair{"seed_queue_size", o.seed_queue_size},
                               std::pair{"queue_stalled_minutes", o.queue_stalled_minutes}}) {
        if (value < 0 || value > k_most) {
            return make_error(ErrorCode::invalid_input, std::string(name) + " must be from 0 (off) to " + std::to_string(k_most));
        }
    }
    control::QueueSettings q;  // a size that is off keeps Transmission's default for RPC clients
    q.download_enabled = o.download_queue_size > 0;
    if (q.download_enabled) q.download_size = o.download_queue_size;
    q.seed_enabled = o.seed_queue_size > 0;
    if (q.seed_enabled) q.seed_size = o.seed_queue_size;
    q.stalled_enabled = o.queue_stalled_minutes > 0;
    if (q.stalled_enabled) q.stalled_after = std::chrono::minutes(o.queue_stalled_minutes);
    return q;
}

Result<DaemonSetup> daemon_setup(const DaemonOptions& o) {
    DaemonSetup setup;
    if (o.swarm.state_dir.empty()) return make_error(ErrorCode::invalid_input, "no state_dir is set");
    cli::SwarmOptions swarm = o.swarm;
    swarm.state_dir = std::filesystem::absolute(swarm.state_dir).lexically_normal().string();
    auto control = cli::controller_settings(swarm);
    if (!control) return control.error();
    setup.control = std::move(*control);
    setup.control.keep_torrent_list = true;
    setup.control.seed_limit_action = control::SeedLimitAction::pause;
    setup.download_dir = o.download_dir.empty() ? std::filesystem::path(swarm.state_dir) / "downloads"
                                                : std::filesystem::absolute(o.download_dir).lexically_normal();
    if (!o.incomplete_dir.empty()) {
        setup.incomplete_dir = std::filesystem::absolute(o.incomplete_dir).lexically_normal();
    }
    if (!o.watch_dir.empty()) setup.watch_dir = std::filesystem::absolute(o.watch_dir).lexically_normal();
    const auto level = parse_log_level(o.log_level);
    if (!level) {
        return make_error(ErrorCode::invalid_input,
                          "log_level '" + o.log_level + "' is not error, warning, info or debug");
    }
    setup.log_level = *level;
    for (auto [name, text, target] : {std::tuple{"alt_speed_up", &o.alt_speed_up, &setup.alt_speed_up},
                                      std::tuple{"alt_speed_down", &o.alt_speed_down, &setup.alt_speed_down}}) {
        if (text->empty()) continue;
        const auto rate = cli::parse_rate(*text);
        if (!rate) {
            return make_error(ErrorCode::invalid_input, std::string(name) + " '" + *text +
                                                            "' is not bytes per second (with an optional K or M)");
        }
        *target = *rate;
    }
    AltSpeedSchedule& schedule = setup.alt_speed_schedule;
    schedule.enabled = o.alt_speed_time_enabled;
    for (auto [name, text, target] :
         {std::tuple{"alt_speed_time_begin", &o.alt_speed_time_begin, &schedule.begin},
          std::tuple{"alt_speed_time_end", &o.alt_speed_time_end, &schedule.end}}) {
        const auto minutes = parse_time_of_day(*text);
        if (!minutes) return make_error(ErrorCode::invalid_input, std::string(name) + " '" + *text + "' is not HH:MM");
        *target = *minutes;
    }
    const auto days = parse_days(o.alt_speed_time_day);
    if (!days) {
        return make_error(ErrorCode::invalid_input, "alt_speed_time_day '" + o.alt_speed_time_day +
                                                        "' is not all, weekdays, weekend or day names (mon,tue,...)");
    }
    schedule.days = *days;
    auto queue = queue_settings(o);
    if (!queue) return queue.error();
    setup.control.queue = *queue;
    auto bind = parse_ip_endpoint(o.rpc_bind);
    if (!bind) return make_error(ErrorCode::invalid_input, "rpc_bind '" + o.rpc_bind + "' is not IP:PORT");
    setup.rpc_bind = *bind;
    for (const auto& text : o.rpc_whitelist) {
        auto range = parse_address_range(text);
        if (!range) return make_error(ErrorCode::invalid_input, "rpc_whitelist: " + range.error().message);
        setup.access.whitelist.push_back(*range);
    }
    if (setup.access.whitelist.empty()) {
        return make_error(ErrorCode::invalid_input, "rpc_whitelist is empty: no client could use the RPC");
    }
    setup.access.host_whitelist = o.rpc_host_whitelist;
    if (!o.rpc_password.empty() && !o.rpc_password_file.empty()) {
        return make_error(ErrorCode::invalid_input, "rpc_password and rpc_password_file are both set");
    }
    std::string password = o.rpc_password;
    if (!o.rpc_password_file.empty()) {
        auto read = read_password_file(o.rpc_password_file);
        if (!read) return read.error();
        password = std::move(*read);
    }
    if (o.rpc_username.empty() && !password.empty()) {
        return make_error(ErrorCode::invalid_input, "rpc_password is set without rpc_username");
    }
    if (o.rpc_username.find(':') != std::string::npos) {
        return make_error(ErrorCode::invalid_input, "rpc_username cannot hold a colon");
    }
    setup.access.username = o.rpc_username;
    if (o.rpc_username.empty()) return setup;
    auto hash = password_hash_of(password);
    OPENSSL_cleanse(password.data(), password.size());
    if (!hash) return hash.error();
    setup.access.password = std::move(*hash);
    return setup;
}

DaemonFacts daemon_facts(const DaemonSetup& setup) {
    DaemonFacts facts;
    facts.download_dir = setup.download_dir;
    facts.incomplete_dir = setup.incomplete_dir;
    facts.config_dir = setup.control.session.state_dir;
    facts.settings = setup.control.session;
    facts.seed_limits = setup.control.seed_limits;
    facts.queue = setup.control.queue;
    facts.alt_speed_up = setup.alt_speed_up;
    facts.alt_speed_down = setup.alt_speed_down;
    facts.alt_speed_schedule = setup.alt_speed_schedule;
    facts.saved_settings = setup.control.session.state_dir / "settings.json";
    return facts;
}

Result<DaemonSettings> load_settings(const std::vector<std::string>& args) {
    DaemonSettings settings;
    CLI::App app("shoald", "shoald");
    add_daemon_options(app, settings.options);
    try {
        auto parsed = parse_command_line(app, args);
        if (!parsed) return parsed.error();
    } catch (const CLI::ParseError& e) {
        return make_error(ErrorCode::invalid_input, e.what());
    }
    auto setup = daemon_setup(settings.options);
    if (!setup) return setup.error();
    settings.setup = std::move(*setup);
    return settings;
}

std::string effective_config(const DaemonOptions& o, const DaemonSetup& setup) {
    const SessionSettings& s = setup.control.session;
    auto strings = [](const std::vector<std::string>& list) {
        toml::array a;
        for (const auto& item : list) a.push_back(item);
        return a;
    };
    toml::table t;
    t.insert("state_dir", s.state_dir.string());
    t.insert("download_dir", setup.download_dir.string());
    if (!setup.incomplete_dir.empty()) t.insert("incomplete_dir", setup.incomplete_dir.string());
    if (!setup.watch_dir.empty()) t.insert("watch_dir", setup.watch_dir.string());
    t.insert("log_level", std::string(to_string(setup.log_level)));
    t.insert("rpc_bind", o.rpc_bind);
    if (!o.rpc_username.empty()) t.insert("rpc_username", o.rpc_username);
    if (!o.rpc_password_file.empty()) t.insert("rpc_password_file", o.rpc_password_file);
    t.insert("rpc_whitelist", strings(o.rpc_whitelist));
    t.insert("rpc_host_whitelist", strings(o.rpc_host_whitelist));
    t.insert("port", static_cast<std::int64_t>(s.listen_port));
    if (!s.listen_host.empty()) t.insert("listen", s.listen_host);
    if (!s.network_interface.empty()) t.insert("interface", s.network_interface);
    t.insert("up_limit", std::to_string(s.upload_limit));
    t.insert("down_limit", std::to_string(s.download_limit));
    t.insert("max_peers", static_cast<std::int64_t>(s.max_peers_per_torrent));
    t.insert("seed_ratio", o.swarm.seed_ratio);
    t.insert("seed_time", o.swarm.seed_time);
    t.insert("seed_idle", static_cast<std::int64_t>(o.swarm.seed_idle));
    if (setup.alt_speed_up > 0) t.insert("alt_speed_up", std::to_string(setup.alt_speed_up));
    if (setup.alt_speed_down > 0) t.insert("alt_speed_down", std::to_string(setup.alt_speed_down));
    t.insert("alt_speed_time_enabled", setup.alt_speed_schedule.enabled);
    t.insert("alt_speed_time_begin", time_of_day_text(setup.alt_speed_schedule.begin));
    t.insert("alt_speed_time_end", time_of_day_text(setup.alt_speed_schedule.end));
    t.insert("alt_speed_time_day", days_text(setup.alt_speed_schedule.days));
    t.insert("download_queue_size", static_cast<std::int64_t>(o.download_queue_size));
    t.insert("seed_queue_size", static_cast<std::int64_t>(o.seed_queue_size));
    t.insert("queue_stalled_minutes", static_cast<std::int64_t>(o.queue_stalled_minutes));
    t.insert("dht", s.enable_dht);
    t.insert("pex", s.enable_pex);
    t.insert("lsd", s.enable_lsd);
    t.insert("utp", s.enable_utp);
    t.insert("tcp", s.enable_tcp);
    t.insert("port_mapping", s.enable_port_mapping);
    t.insert("holepunch", s.enable_holepunch);
    t.insert("dht_bootstrap", strings(s.dht_bootstrap));
    t.insert("encryption", std::string(encryption_policy_name(s.encryption)));
    std::ostringstream out;
    out << t << "\n";
    if (!o.rpc_password.empty()) out << "# rpc_password is set (not shown)\n";
    return out.str();
}

}  // namespace shoal::daemon
