#include "control/desktop_store_migration.hpp"

#include <boost/json.hpp>

#include <ctime>

#include "metainfo/magnet.hpp"

namespace fs = std::filesystem;
namespace json = boost::json;

namespace shoal::control {
namespace {

bool digits(std::string_view text, std::size_t at, std::size_t count, int& value) {
    if (at + count > text.size()) return false;
    value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        value = value * 10 + (text[i] - '0');
    }
    return true;
}

std::string string_of(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string{};
}

bool bool_of(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v && v->is_bool() && v->as_bool();
}

// One entry of the old index as a record; the error says what was wrong with it.
Result<StoredTorrent> convert(const fs::path& old_folder, const std::string& old_id, const json::object& e) {
    auto bad = [&](const std::string& why) {
        return make_error(ErrorCode::invalid_input, (old_folder / "torrents.json").string() + ": " + old_id + ": " + why);
    };
    StoredTorrent t;
    t.save_dir = string_of(e, "save_dir");
    t.paused = bool_of(e, "paused");
    t.sequential = bool_of(e, "sequential");
    t.added_on = parse_iso_date(string_of(e, "added_on")).value_or(0);
    if (const json::value* p = e.if_contains("priorities"); p && p->is_array()) {
        for (const auto& v : p->as_array()) {
            if (!v.is_int64() || v.as_int64() < 0 || v.as_int64() > 7) return bad("a file priority is not 0 to 7");
            t.file_priorities.push_back(static_cast<int>(v.as_int64()));
        }
    }
    if (const json::value* n = e.if_contains("file_names"); n && n->is_object()) {
        for (const auto& [key, value] : n->as_object()) {
            char* end = nullptr;
            const std::string k(key);
            const unsigned long file = std::strtoul(k.c_str(), &end, 10);
            if (k.empty() || *end != '\0' || k.size() > 9 || !value.is_string()) return bad("a renamed file is not an index and a name");
            t.file_names[file] = std::string(value.as_string());
        }
    }
    if (const json::value* tiers = e.if_contains("trackers"); tiers && tiers->is_array()) {
        std::vector<Tier> out;
        for (const auto& tier : tiers->as_array()) {
            Tier urls;
            if (tier.is_array()) {
                for (const auto& url : tier.as_array()) {
                    if (url.is_string()) urls.emplace_back(url.as_string());
                }
            }
            if (!urls.empty()) out.push_back(std::move(urls));
        }
        t.trackers = std::move(out);
    }
    const std::string file = string_of(e, "file");
    t.magnet = string_of(e, "magnet");
    if (!file.empty()) {
        if (fs::path(file).filename() != fs::path(file)) return bad("its .torrent file is outside the folder");
        auto bytes = read_small_file(old_folder / file, TorrentLimits{}.max_file_bytes);
        if (!bytes) return bytes.error();
        auto info = parse_torrent(*bytes);
        if (!info) return bad(info.error().message);
        t.metainfo = std::move(*bytes);
        t.id = stored_id(*info);
        if (t.file_priorities.size() != info->files.size()) t.file_priorities.clear();
    } else if (!t.magnet.empty()) {
        auto magnet = parse_magnet(t.magnet);
        if (!magnet) return bad(magnet.error().message);
        t.id = magnet->info_hash_v1 ? magnet->info_hash_v1->hex() : magnet->info_hash_v2->hex();
    } else {
        return bad("neither a torrent nor a magnet link");
    }
    if (t.save_dir.empty()) return bad("no save folder");
    return t;
}

}  // namespace

std::optional<std::int64_t> parse_iso_date(std::string_view text) {
    std::tm tm{};
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!digits(text, 0, 4, year) || text.size() < 19 || text[4] != '-' || !digits(text, 5, 2, month) ||
        text[7] != '-' || !digits(text, 8, 2, day) || text[10] != 'T' || !digits(text, 11, 2, hour) ||
        text[13] != ':' || !digits(text, 14, 2, minute) || text[16] != ':' || !digits(text, 17, 2, second)) {
        return std::nullopt;
    }
    std::string_view rest = text.substr(19);
    if (!rest.empty() && rest.front() == '.') {
        rest.remove_prefix(1);
        while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') rest.remove_prefix(1);
    }
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    if (rest.empty()) {
        tm.tm_isdst = -1;
        const std::time_t local = std::mktime(&tm);
        if (local == -1) return std::nullopt;
        return static_cast<std::int64_t>(local);
    }
    int offset = 0;
    if (rest == "Z") {
        offset = 0;
    } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
        int hours = 0, minutes = 0;
        if (!digits(rest, 1, 2, hours) || !digits(rest, 4, 2, minutes)) return std::nullopt;
        offset = (hours * 60 + minutes) * 60 * (rest[0] == '-' ? -1 : 1);
    } else {
        return std::nullopt;
    }
    const std::time_t utc = timegm(&tm);
    if (utc == -1) return std::nullopt;
    return static_cast<std::int64_t>(utc) - offset;
}

std::size_t migrate_desktop_store(const fs::path& old_folder, const TorrentListStore& store,
                                  std::vector<Error>& problems) {
    const fs::path index = old_folder / "torrents.json";
    std::error_code ec;
    if (store.exists() || !fs::exists(index, ec)) return 0;
    auto bytes = read_small_file(index, 64 * 1024 * 1024);
    if (!bytes) {
        problems.push_back(bytes.error());
        return 0;
    }
    json::error_code parse_error;
    json::value parsed = json::parse(*bytes, parse_error);
    if (parse_error || !parsed.is_object()) {
        problems.push_back(make_error(ErrorCode::invalid_input, index.string() + ": not a JSON object"));
        return 0;
    }
    std::vector<StoredTorrent> moved;
    for (const auto& [id, entry] : parsed.as_object()) {
        if (!entry.is_object()) {
            problems.push_back(make_error(ErrorCode::invalid_input, index.string() + ": " + std::string(id) + ": not an object"));
            continue;
        }
        auto record = convert(old_folder, std::string(id), entry.as_object());
        if (record) {
            moved.push_back(std::move(record.value()));
        } else {
            problems.push_back(record.error());
        }
    }
    fs::create_directories(store.folder(), ec);
    std::size_t count = 0;
    for (const auto& t : moved) {
        if (auto saved = store.save(t); saved) {
            ++count;
        } else {
            problems.push_back(saved.error());
        }
    }
    return count;
}

}  // namespace shoal::control
