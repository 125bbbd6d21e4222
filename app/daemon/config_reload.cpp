#include "daemon/config_reload.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "daemon/password_files.hpp"
#include "daemon/setting_changes.hpp"

namespace shoal::daemon {
namespace {

void forget_password(DaemonSettings& settings) {
    std::string& plain = settings.options.rpc_password;
    OPENSSL_cleanse(plain.data(), plain.size());
    plain.clear();
}

}  // namespace

void protect_config_password(const std::string& config, const PasswordHash& in_use, const Log& log) {
    auto replaced = hash_config_password(config, in_use);
    if (!replaced) {
        log.warning("rpc_password is in plain text in " + config + " and stays so: " + replaced.error().message);
    } else if (*replaced) {
        log.info("replaced the plain rpc_password in " + config + " with its hash");
    }
}

ConfigReload::ConfigReload(std::vector<std::string> args, DaemonSettings started, Targets targets)
    : args_(std::move(args)), started_(std::move(started)), current_(started_), targets_(std::move(targets)) {
    forget_password(started_);
    forget_password(current_);
}

void ConfigReload::reload() {
    const Log& log = targets_.log;
    auto read = load_settings(args_);
    if (!read) {
        log.error("the settings were not reloaded (the running ones stay): " + read.error().message);
        return;
    }
    if (!read->options.config.empty()) {
        protect_config_password(read->options.config, read->setup.access.password, log);
    }
    const auto changes = setting_changes(started_, current_, *read);
    forget_password(*read);
    if (changes.empty()) log.info("settings reloaded: nothing changed");
    std::vector<std::string> changed;
    for (const auto& change : changes) {
        log.info(change.describe());
        if (!change.needs_restart) changed.push_back(change.name);
    }
    apply(changed, *read);
    // Also when nothing changed: the password's hash may be the one now in the file.
    current_ = std::move(*read);
}

void ConfigReload::apply(const std::vector<std::string>& changed, const DaemonSettings& read) {
    auto any = [&](std::initializer_list<std::string_view> names) {
        return std::any_of(names.begin(), names.end(), [&](std::string_view name) {
            return std::find(changed.begin(), changed.end(), name) != changed.end();
        });
    };
    if (any({"up_limit", "down_limit", "max_peers", "seed_ratio", "seed_time", "seed_idle", "alt_speed_up",
             "alt_speed_down", "alt_speed_time_enabled", "alt_speed_time_begin", "alt_speed_time_end",
             "alt_speed_time_day", "download_queue_size", "seed_queue_size", "queue_stalled_minutes"})) {
        targets_.set_session(daemon_facts(read.setup));
    }
    if (any({"rpc_whitelist", "rpc_host_whitelist", "rpc_username", "rpc_password"})) {
        targets_.set_access(read.setup.access);
    }
    if (any({"watch_dir"})) targets_.set_watch_dir(read.setup.watch_dir);
    if (any({"log_level"})) targets_.log.set_level(read.setup.log_level);
}

}  // namespace shoal::daemon
