#pragma once
// What differs between the settings shoald runs with and those a reload read, named as the
// config file names them: the ones that change at run time and the ones that wait for a restart.

#include <string>
#include <vector>

#include "daemon/daemon_config.hpp"

namespace shoal::daemon {

struct SettingChange {
    std::string name;    // "up_limit"
    std::string before;  // as the config file would say it; empty for the password
    std::string after;
    bool needs_restart = false;

    // "up_limit: 0 -> 100000", "port changed: takes effect after a restart"
    std::string describe() const;
};

// Run-time settings are compared with `current` (what runs now), the others with `started`
// (what the process started with, which a reload does not change).
std::vector<SettingChange> setting_changes(const DaemonSettings& started, const DaemonSettings& current,
                                           const DaemonSettings& read);

}  // namespace shoal::daemon
