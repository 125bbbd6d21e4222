#include "daemon/saved_settings.hpp"

#include <algorithm>

#include "control/state_files.hpp"

namespace json = boost::json;

namespace shoal::daemon {
namespace {

constexpr std::int64_t k_version = 2;
constexpr std::int64_t k_kilobyte_version = 1;  // speeds in kB/s

bool known(std::string_view key) {
    const auto& keys = runtime_keys();
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// Takes `entries` (speeds in `units`) over `out`; an entry whose config value is not `config`'s,
// or whose value is not valid, is forgotten.
void take_entries(json::object& entries, SpeedUnits units, const RuntimeSettings& config, RuntimeSettings& out) {
    const json::object config_values = runtime_values(config, units);
    std::vector<std::string> forgotten;
    for (const auto& [key, entry] : entries) {
        const json::object& e = entry.as_object();
        const json::value* now = config_values.if_contains(key);
        RuntimeSettings next = out;
        if (!now || *now != e.at("config") || !take_runtime_values(next, json::object{{key, e.at("value")}}, units)) {
            forgotten.emplace_back(key);
            continue;
        }
        out = std::move(next);
    }
    for (const auto& key : forgotten) entries.erase(key);
}

}  // namespace

Result<Done> SavedSettings::load() {
    entries_.clear();
    kilobyte_entries_.clear();
    if (file_.empty()) return Done{};
    std::error_code ec;
    if (!std::filesystem::exists(file_, ec)) return Done{};
    auto bytes = control::read_small_file(file_, k_max_saved_settings_bytes);
    if (!bytes) return bytes.error();
    const auto damaged = [&](const std::string& why) {
        return make_error(ErrorCode::invalid_input, file_.string() + ": " + why + "; the settings it kept are forgotten");
    };
    json::error_code parse_error;
    json::value parsed = json::parse(*bytes, parse_error);
    if (parse_error || !parsed.is_object()) return damaged("not a JSON object");
    const json::object& o = parsed.as_object();
    const json::value* version = o.if_contains("version");
    if (!version || !version->is_int64() ||
        (version->as_int64() != k_version && version->as_int64() != k_kilobyte_version)) {
        return damaged("an unknown version");
    }
    const json::value* settings = o.if_contains("settings");
    if (!settings || !settings->is_object()) return damaged("no settings");
    json::object& into = version->as_int64() == k_version ? entries_ : kilobyte_entries_;
    for (const auto& [key, entry] : settings->as_object()) {
        // What this version does not know, or not as an entry, is left out.
        if (!known(key) || !entry.is_object() || !entry.as_object().contains("value") ||
            !entry.as_object().contains("config")) {
            continue;
        }
        into[key] = entry;
    }
    return Done{};
}

RuntimeSettings SavedSettings::over(const RuntimeSettings& config) {
    RuntimeSettings out = config;
    take_entries(entries_, SpeedUnits::bytes, config, out);
    if (!kilobyte_entries_.empty()) {
        // Compared with the config and read in kB/s, as they were written; kept in bytes now.
        take_entries(kilobyte_entries_, SpeedUnits::rpc, config, out);
        std::vector<std::string> keys;
        for (const auto& [key, entry] : kilobyte_entries_) keys.emplace_back(key);
        kilobyte_entries_.clear();
        keep(keys, out, config);
    }
    return out;
}

void SavedSettings::keep(const std::vector<std::string>& keys, const RuntimeSettings& now,
                         const RuntimeSettings& config) {
    const json::object values = runtime_values(now, SpeedUnits::bytes);
    const json::object config_values = runtime_values(config, SpeedUnits::bytes);
    for (const auto& key : keys) {
        const json::value* value = values.if_contains(key);
        const json::value* base = config_values.if_contains(key);
        if (!value || !base) continue;
        kilobyte_entries_.erase(key);
        if (*value == *base) {
            entries_.erase(key);
        } else {
            entries_[key] = json::object{{"value", *value}, {"config", *base}};
        }
    }
}

Result<Done> SavedSettings::save() const {
    if (file_.empty()) return Done{};
    std::error_code ec;
    std::filesystem::create_directories(file_.parent_path(), ec);
    if (ec) return make_error(ErrorCode::io, "cannot make " + file_.parent_path().string() + ": " + ec.message());
    json::object o{{"version", k_version}, {"settings", entries_}};
    return control::write_file_atomically(file_, json::serialize(o) + "\n");
}

}  // namespace shoal::daemon
