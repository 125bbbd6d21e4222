#include "daemon/setting_changes.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <openssl/crypto.h>

#include <functional>

#include "daemon/password_files.hpp"
#include "daemon/password_hash.hpp"

namespace shoal::daemon {
namespace {

using Text = std::function<std::string(const DaemonSettings&)>;

struct Setting {
    const char* name;
    Text text;
    bool needs_restart;
};

// A setting read off the session's settings.
Text of_session(std::function<std::string(const SessionSettings&)> text) {
    return [text = std::move(text)](const DaemonSettings& s) { return text(s.setup.control.session); };
}

std::string list(const std::vector<std::string>& items) { return fmt::format("[{}]", fmt::join(items, ", ")); }
std::string yes_no(bool value) { return value ? "true" : "false"; }

const std::vector<Setting>& settings() {
    static const std::vector<Setting> k_settings = {
        // Changed at run time.
        {"up_limit", of_session([](const SessionSettings& s) { return std::to_string(s.upload_limit); }), false},
        {"down_limit", of_session([](const SessionSettings& s) { return std::to_string(s.download_limit); }), false},
        {"max_peers",
         of_session([](const SessionSettings& s) { return std::to_string(s.max_peers_per_torrent); }), false},
        {"seed_ratio", [](const DaemonSettings& s) { return fmt::format("{}", s.options.swarm.seed_ratio); }, false},
        {"seed_time", [](const DaemonSettings& s) { return fmt::format("{}", s.options.swarm.seed_time); }, false},
        {"seed_idle", [](const DaemonSettings& s) { return std::to_string(s.options.swarm.seed_idle); }, false},
        {"alt_speed_up", [](const DaemonSettings& s) { return std::to_string(s.setup.alt_speed_up); }, false},
        {"alt_speed_down", [](const DaemonSettings& s) { return std::to_string(s.setup.alt_speed_down); }, false},
        {"alt_speed_time_enabled",
         [](const DaemonSettings& s) { return yes_no(s.setup.alt_speed_schedule.enabled); }, false},
        {"alt_speed_time_begin",
         [](const DaemonSettings& s) { return time_of_day_text(s.setup.alt_speed_schedule.begin); }, false},
        {"alt_speed_time_end",
         [](const DaemonSettings& s) { return time_of_day_text(s.setup.alt_speed_schedule.end); }, false},
        {"alt_speed_time_day", [](const DaemonSettings& s) { return days_text(s.setup.alt_speed_schedule.days); },
         false},
        {"download_queue_size", [](const DaemonSettings& s) { return std::to_string(s.options.download_queue_size); }, false},
        {"seed_queue_size", [](const DaemonSettings& s) { return std::to_string(s.options.seed_queue_size); }, false},
        {"queue_stalled_minutes",
         [](const DaemonSettings& s) { return std::to_string(s.options.queue_stalled_minutes); }, false},
        {"rpc_whitelist", [](const DaemonSettings& s) { return list(s.options.rpc_whitelist); }, false},
        {"rpc_host_whitelist", [](const DaemonSettings& s) { return list(s.options.rpc_host_whitelist); }, false},
        {"rpc_username", [](const DaemonSettings& s) { return s.options.rpc_username; }, false},
        {"watch_dir", [](const DaemonSettings& s) { return s.setup.watch_dir.string(); }, false},
        {"log_level", [](const DaemonSettings& s) { return s.options.log_level; }, false},
        // Read when the session starts.
        {"state_dir", [](const DaemonSettings& s) { return s.setup.control.session.state_dir.string(); }, true},
        {"download_dir", [](const DaemonSettings& s) { return s.setup.download_dir.string(); }, true},
        {"incomplete_dir", [](const DaemonSettings& s) { return s.setup.incomplete_dir.string(); }, true},
        {"rpc_bind", [](const DaemonSettings& s) { return s.options.rpc_bind; }, true},
        {"port", [](const DaemonSettings& s) { return std::to_string(s.options.swarm.port); }, true},
        {"listen", [](const DaemonSettings& s) { return s.options.swarm.listen; }, true},
        {"interface", [](const DaemonSettings& s) { return s.options.swarm.interface; }, true},
        {"dht", of_session([](const SessionSettings& s) { return yes_no(s.enable_dht); }), true},
        {"pex", of_session([](const SessionSettings& s) { return yes_no(s.enable_pex); }), true},
        {"lsd", of_session([](const SessionSettings& s) { return yes_no(s.enable_lsd); }), true},
        {"utp", of_session([](const SessionSettings& s) { return yes_no(s.enable_utp); }), true},
        {"tcp", of_session([](const SessionSettings& s) { return yes_no(s.enable_tcp); }), true},
        {"port_mapping", of_session([](const SessionSettings& s) { return yes_no(s.enable_port_mapping); }), true},
        {"holepunch", of_session([](const SessionSettings& s) { return yes_no(s.enable_holepunch); }), true},
        {"dht_bootstrap", [](const DaemonSettings& s) { return list(s.options.swarm.dht_bootstrap); }, true},
        {"encryption", [](const DaemonSettings& s) { return s.options.swarm.encryption; }, true},
    };
    return k_settings;
}

// Two hashes of one password differ by their salts: a plain password is checked instead.
bool same_password(const PasswordHash& running, const DaemonSettings& read) {
    const PasswordHash& hash = read.setup.access.password;
    if (hash.salt == running.salt && hash.hash == running.hash && hash.iterations == running.iterations) return true;
    std::string plain = read.options.rpc_password;
    if (!read.options.rpc_password_file.empty()) {
        auto in_file = read_password_file(read.options.rpc_password_file);
        plain = in_file ? std::move(*in_file) : std::string();
    }
    const bool same = !plain.empty() && !looks_like_password_hash(plain) && verify_password(running, plain);
    OPENSSL_cleanse(plain.data(), plain.size());
    return same;
}

}  // namespace

std::string SettingChange::describe() const {
    if (needs_restart) return name + " changed: takes effect after a restart";
    if (before.empty() && after.empty()) return name + ": changed";
    return name + ": " + (before.empty() ? "(none)" : before) + " -> " + (after.empty() ? "(none)" : after);
}

std::vector<SettingChange> setting_changes(const DaemonSettings& started, const DaemonSettings& current,
                                           const DaemonSettings& read) {
    std::vector<SettingChange> changes;
    for (const Setting& s : settings()) {
        const std::string before = s.text(s.needs_restart ? started : current);
        const std::string after = s.text(read);
        if (before != after) changes.push_back({s.name, before, after, s.needs_restart});
    }
    if (!same_password(current.setup.access.password, read)) changes.push_back({"rpc_password", "", "", false});
    return changes;
}

}  // namespace shoal::daemon
