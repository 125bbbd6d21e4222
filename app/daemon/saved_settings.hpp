#pragma once
// session-set's changes kept across restarts, in a small file of the state folder: the config
// file stays the user's and is never rewritten. Each change is kept with the config file's value
// it was made over; when the config file says something else for that setting (edited since),
// the config file wins and the change is forgotten.
//
// <state_dir>/settings.json: {"version": 2, "settings": {"speed-limit-up": {"value": 200000,
// "config": 100000}, ...}}, keys and values as Transmission's RPC names them, but speeds in
// bytes per second (SpeedUnits::bytes), so that a limit set to the byte comes back so. Version
// 1 said speeds in kB/s, as the RPC does; such a file is read so and written again as version 2.

#include <boost/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "daemon/runtime_settings.hpp"
#include "util/result.hpp"

namespace shoal::daemon {

inline constexpr std::uintmax_t k_max_saved_settings_bytes = 64 * 1024;

class SavedSettings {
public:
    // `file` empty: nothing is kept.
    explicit SavedSettings(std::filesystem::path file = {}) : file_(std::move(file)) {}

    // Reads the file; none is no problem. A damaged file is said, and replaced by the next save.
    Result<Done> load();

    // `config` with the kept changes on top; a change whose config value is no longer the one
    // it was made over, or that is not a valid value, is forgotten. Called once after load(): a
    // version 1 file's changes are kept in bytes from then on.
    RuntimeSettings over(const RuntimeSettings& config);

    // Keeps the settings `keys` at their values in `now`, made over `config`; one set back to
    // the config's value is forgotten.
    void keep(const std::vector<std::string>& keys, const RuntimeSettings& now, const RuntimeSettings& config);
    void forget(const std::string& key) {
        entries_.erase(key);
        kilobyte_entries_.erase(key);
    }
    bool has(const std::string& key) const { return entries_.contains(key) || kilobyte_entries_.contains(key); }

    // Writes the file durably (a crash leaves the old one or the new).
    Result<Done> save() const;

private:
    std::filesystem::path file_;
    boost::json::object entries_;           // speeds in bytes per second
    boost::json::object kilobyte_entries_;  // a version 1 file's, speeds in kB/s, until over()
};

}  // namespace shoal::daemon
