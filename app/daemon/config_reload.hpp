#pragma once
// SIGHUP: shoald's settings read again as at start-up, and what can change at run time applied
// (rate and peer limits, seed limits, the alternative speeds and the torrent queue through the
// RPC methods, so that session-get says what runs; the RPC's access, watch_dir, log_level). One log line per
// change; the settings that wait for a restart are named as such. Settings with an error are
// refused whole and the running ones kept.

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "daemon/daemon_config.hpp"
#include "daemon/log.hpp"

namespace shoal::daemon {

// Replaces a plain rpc_password in the config file by its hash (`in_use` when it is that
// password's), saying so, or why it could not.
void protect_config_password(const std::string& config, const PasswordHash& in_use, const Log& log);

class ConfigReload {
public:
    struct Targets {
        // The session's settings that the RPC reports and session-set changes (rate, peer and
        // seed limits, the alternative speeds, the queue): given to the RPC methods, which
        // apply them.
        std::function<void(const DaemonFacts&)> set_session;
        std::function<void(RpcAccess)> set_access;  // the RPC server's
        std::function<void(const std::filesystem::path& watch_dir)> set_watch_dir;
        Log& log;
    };

    // `args`: the command line after the program's name; `started`: what runs now.
    ConfigReload(std::vector<std::string> args, DaemonSettings started, Targets targets);

    void reload();

private:
    void apply(const std::vector<std::string>& changed, const DaemonSettings& read);

    std::vector<std::string> args_;
    DaemonSettings started_;
    DaemonSettings current_;
    Targets targets_;
};

}  // namespace shoal::daemon
