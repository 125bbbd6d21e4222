// torrent-set, torrent-rename-path and torrent-set-location: changing torrents that are
// already in the list.
#include <algorithm>

#include "control/tracker_tiers.hpp"
#include "daemon/rpc_methods.hpp"
#include "daemon/rpc_torrent_fields.hpp"
#include "daemon/rpc_values.hpp"

namespace json = boost::json;

namespace shoal::daemon {
namespace {

using control::Tiers;
using control::TorrentSummary;

// Keys torrent-set takes only at the value Shoal always has (what torrent-get reports), so a
// client that sends a whole form back works and a change Shoal cannot make is refused.
bool is_fixed_value(std::string_view key, const json::value& v) {
    if (key == "bandwidthPriority") return as_integer(v) == 0;
    if (key == "honorsSessionLimits") return as_flag(v) == true;
    return false;
}

constexpr std::string_view k_changeable[] = {
    "ids",           "files-wanted",   "files-unwanted", "priority-high",   "priority-low",
    "priority-normal", "uploadLimit",  "uploadLimited",  "downloadLimit",   "downloadLimited",
    "trackerAdd",    "trackerRemove",  "trackerReplace", "trackerList",     "seedRatioLimit",
    "seedRatioMode", "seedIdleLimit",  "seedIdleMode",   "location",        "labels",
    "peer-limit"};

// A torrent's seed limits after torrent-set: each of the four keys replaces its part.
Result<control::TorrentSeedLimits> seed_limits(const json::object& args, control::TorrentSeedLimits limits) {
    auto mode = [&](std::string_view key, control::SeedLimitMode& target) -> Result<Done> {
        const json::value* v = args.if_contains(key);
        if (!v) return Done{};
        const auto n = as_integer(*v);
        if (!n || *n < 0 || *n > 2) return make_error("'" + std::string(key) + "' is not 0, 1 or 2");
        target = static_cast<control::SeedLimitMode>(*n);
        return Done{};
    };
    if (auto done = mode("seedRatioMode", limits.ratio_mode); !done) return done.error();
    if (auto done = mode("seedIdleMode", limits.idle_mode); !done) return done.error();
    if (const json::value* v = args.if_contains("seedRatioLimit")) {
        const auto ratio = as_number(*v);
        if (!ratio || !(*ratio >= 0 && *ratio <= control::k_max_seed_ratio))
            return make_error("'seedRatioLimit' is out of range");
        limits.ratio = *ratio;
    }
    if (const json::value* v = args.if_contains("seedIdleLimit")) {
        const auto minutes = as_integer(*v);
        if (!minutes || *minutes < 0 || *minutes > control::k_max_idle_minutes)
            return make_error("'seedIdleLimit' is out of range");
        limits.idle_minutes = *minutes;
    }
    return limits;
}

// A torrent's rate limit after torrent-set, in bytes per second (0: none). A limit sent alone
// turns limiting on; `...Limited: false` turns it off.
Result<std::int64_t> rate_limit(const json::object& args, std::string_view limit_key, std::string_view flag_key,
                                std::int64_t current) {
    const json::value* limit = args.if_contains(limit_key);
    const json::value* flag = args.if_contains(flag_key);
    std::optional<std::int64_t> kb;
    if (limit) {
        kb = as_integer(*limit);
        if (!kb || *kb < 0 || *kb > k_max_rpc_speed)
            return make_error("'" + std::string(limit_key) + "' is out of range");
    }
    std::optional<bool> on;
    if (flag) {
        on = as_flag(*flag);
        if (!on) return make_error("'" + std::string(flag_key) + "' is not a boolean");
    }
    if (on == false) return std::int64_t{0};
    if (kb) return bytes_from_rpc(*kb, current);
    return current;
}

// trackerAdd: a list of strings (the URLs are checked by the control layer).
Result<std::vector<std::string>> urls_to_add(const json::value& v) {
    if (!v.is_array()) return make_error("'trackerAdd' is not a list of URLs");
    std::vector<std::string> urls;
    for (const auto& item : v.get_array()) {
        if (!item.is_string()) return make_error("'trackerAdd' holds something that is not a string");
        urls.emplace_back(item.get_string());
    }
    return urls;
}

// The trackers by RPC id (their place in the tiers, the first tier first).
std::vector<std::string> trackers_by_id(const Tiers& tiers) {
    std::vector<std::string> urls;
    for (const auto& tier : tiers) urls.insert(urls.end(), tier.begin(), tier.end());
    return urls;
}

const std::string* tracker_by_id(const std::vector<std::string>& urls, std::optional<std::int64_t> id) {
    if (!id || *id < 0 || static_cast<std::uint64_t>(*id) >= urls.size()) return nullptr;
    return &urls[static_cast<std::size_t>(*id)];
}

// trackerList: one URL a line, tiers parted by blank lines.
Tiers parse_tracker_list(std::string_view text) {
    Tiers tiers(1);
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string line(text.substr(start, end - start));
        std::erase_if(line, [](char c) { return c == '\r' || c == ' ' || c == '\t'; });
        if (line.empty()) {
            if (!tiers.back().empty()) tiers.emplace_back();
        } else {
            tiers.back().push_back(line);
        }
        start = end + 1;
    }
    std::erase_if(tiers, [](const auto& tier) { return tier.empty(); });
    return tiers;
}

// torrent-set's tracker keys, read and checked in shape before any torrent changes, then
// applied to a copy of each torrent's list in Transmission's order: list, add, replace, remove.
// Tracker ids are places in the list as it stands when each step begins.
struct TrackerEdits {
    std::optional<Tiers> list;
    std::vector<std::string> add;
    std::vector<std::pair<std::optional<std::int64_t>, std::string>> replace;
    std::vector<std::optional<std::int64_t>> remove;
    bool any = false;

    static Result<TrackerEdits> read(const json::object& args) {
        TrackerEdits e;
        if (auto* v = args.if_contains("trackerList")) {
            if (!v->is_string()) return make_error("'trackerList' is not a string");
            e.list = parse_tracker_list(v->get_string());
            e.any = true;
        }
        if (auto* v = args.if_contains("trackerAdd")) {
            auto urls = urls_to_add(*v);
            if (!urls) return urls.error();
            e.add = std::move(*urls);
            e.any = true;
        }
        if (auto* v = args.if_contains("trackerReplace")) {
            if (!v->is_array() || v->get_array().size() % 2 != 0)
                return make_error("'trackerReplace' is not a list of id and URL pairs");
            const auto& pairs = v->get_array();
            for (std::size_t i = 0; i < pairs.size(); i += 2) {
                if (!pairs[i + 1].is_string()) return make_error("'trackerReplace' is not a list of id and URL pairs");
                e.replace.emplace_back(as_integer(pairs[i]), std::string(pairs[i + 1].get_string()));
            }
            e.any = true;
        }
        if (auto* v = args.if_contains("trackerRemove")) {
            if (!v->is_array()) return make_error("'trackerRemove' is not a list of tracker ids");
            for (const auto& id : v->get_array()) e.remove.push_back(as_integer(id));
            e.any = true;
        }
        return e;
    }

    // `tiers` with the edits made, or why they cannot all be made.
    Result<Tiers> applied_to(Tiers tiers) const {
        if (list) tiers = *list;
        for (const auto& url : add) {
            if (auto fits = control::add_tracker(tiers, url, -1); !fits) return fits.error();
        }
        const auto before_replace = trackers_by_id(tiers);
        for (const auto& [id, url] : replace) {
            const std::string* old = tracker_by_id(before_replace, id);
            if (!old) return make_error("no such tracker to replace");
            if (auto done = control::replace_tracker(tiers, *old, url); !done) return done.error();
        }
        const auto before_remove = trackers_by_id(tiers);
        // Each tracker once, however often it is named: a long list of one id holds no copies.
        std::vector<bool> chosen(before_remove.size());
        for (const auto& id : remove) {
            const std::string* url = tracker_by_id(before_remove, id);
            if (!url) return make_error("no such tracker to remove");
            chosen[static_cast<std::size_t>(url - before_remove.data())] = true;
        }
        for (std::size_t i = 0; i < before_remove.size(); ++i) {
            if (!chosen[i]) continue;
            if (auto done = control::remove_tracker(tiers, before_remove[i]); !done) return done.error();
        }
        return tiers;
    }
};

}  // namespace

RpcMethods::Answer RpcMethods::torrent_set(const json::object& args) {
    for (const auto& [key, value] : args) {
        if (std::find(std::begin(k_changeable), std::end(k_changeable), key) != std::end(k_changeable)) continue;
        if (is_fixed_value(key, value)) continue;
        return make_error("torrent-set: Shoal cannot change '" + std::string(key) + "'");
    }
    auto torrents = select(args);
    if (!torrents) return torrents.error();
    std::optional<control::Labels> labels;
    if (auto* v = args.if_contains("labels")) {
        auto read = as_labels(*v);
        if (!read) return read.error();
        labels = std::move(*read);
    }
    auto tracker_edits = TrackerEdits::read(args);
    if (!tracker_edits) return tracker_edits.error();
    std::optional<int> peer_limit;
    if (auto* v = args.if_contains("peer-limit")) {
        auto read = as_peer_limit(*v);
        if (!read) return read.error();
        peer_limit = *read;
    }
    // A new folder to look for the data in; nothing moves (torrent-set-location moves data).
    if (auto* location = args.if_contains("location")) {
        if (auto moved = move_torrents(*torrents, *location, false); !moved) return moved;
    }
    for (const TorrentSummary& s : *torrents) {
        auto fail = [&](const Error& e) { return make_error(s.name + ": " + e.message); };
        // Files.
        static constexpr std::string_view k_file_keys[] = {"files-wanted", "files-unwanted", "priority-high",
                                                           "priority-low", "priority-normal"};
        if (std::any_of(std::begin(k_file_keys), std::end(k_file_keys), [&](auto k) { return args.contains(k); })) {
            if (!s.info) return make_error(s.name + ": its files are not known yet");
            auto priorities = control_.file_priorities(s.id);
            const auto before = priorities;
            if (auto done = apply_file_choices(args, *s.info, priorities); !done) return fail(done.error());
            for (std::size_t i = 0; i < priorities.size(); ++i) {
                const bool changed = i >= before.size() || before[i] != priorities[i];
                if (!changed) continue;
                if (auto done = control_.set_file_priority(s.id, i, priorities[i]); !done) return fail(done.error());
            }
        }
        // Rate limits.
        if (args.contains("uploadLimit") || args.contains("uploadLimited") || args.contains("downloadLimit") ||
            args.contains("downloadLimited")) {
            auto up = rate_limit(args, "uploadLimit", "uploadLimited", s.upload_limit);
            if (!up) return fail(up.error());
            auto down = rate_limit(args, "downloadLimit", "downloadLimited", s.download_limit);
            if (!down) return fail(down.error());
            if (auto done = control_.set_torrent_limits(s.id, *up, *down); !done) return fail(done.error());
        }
        // Seed limits.
        if (args.contains("seedRatioLimit") || args.contains("seedRatioMode") || args.contains("seedIdleLimit") ||
            args.contains("seedIdleMode")) {
            auto limits = seed_limits(args, s.seed_limits);
            if (!limits) return fail(limits.error());
            if (auto done = control_.set_torrent_seed_limits(s.id, *limits); !done) return fail(done.error());
        }
        if (labels) {
            if (auto done = control_.set_labels(s.id, *labels); !done) return fail(done.error());
        }
        if (peer_limit) {
            if (auto done = control_.set_peer_limit(s.id, *peer_limit); !done) return fail(done.error());
        }
        // Trackers: the edits are made to a copy of the list and the result is taken whole by
        // one call, so a request that cannot be taken whole changes nothing and the torrent's
        // record is written once.
        if (tracker_edits->any) {
            auto tiers = tracker_edits->applied_to(control_.trackers(s.id));
            if (!tiers) return fail(tiers.error());
            if (auto done = control_.set_trackers(s.id, *tiers); !done) return fail(done.error());
        }
    }
    return json::object{};
}

RpcMethods::Answer RpcMethods::torrent_rename_path(const json::object& args) {
    auto torrents = select(args);
    if (!torrents) return torrents.error();
    if (torrents->size() != 1) return make_error("torrent-rename-path: name exactly one torrent");
    const TorrentSummary& s = torrents->front();
    const json::value* path = args.if_contains("path");
    const json::value* name = args.if_contains("name");
    if (!path || !path->is_string() || !name || !name->is_string())
        return make_error("torrent-rename-path: 'path' and 'name' are needed");
    if (!s.info) return make_error("torrent-rename-path: the torrent's files are not known yet");
    const std::string old_path(path->get_string());
    const std::string new_name(name->get_string());
    // Shoal renames files (the last part of their path); folders keep their names.
    for (auto i : rpc_file_indexes(*s.info)) {
        const FileEntry& f = s.info->files[i];
        std::string joined;
        for (const auto& part : f.path) joined += (joined.empty() ? "" : "/") + part;
        if (joined != old_path) continue;
        if (auto done = control_.rename_file(s.id, i, new_name); !done) {
            return make_error("torrent-rename-path: " + done.error().message);
        }
        return json::object{{"id", s.id.value}, {"path", old_path}, {"name", new_name}};
    }
    return make_error("torrent-rename-path: Shoal renames files only, and '" + old_path + "' is not one of them");
}

RpcMethods::Answer RpcMethods::torrent_set_location(const json::object& args) {
    auto torrents = select(args);
    if (!torrents) return torrents.error();
    const json::value* location = args.if_contains("location");
    if (!location) return make_error("torrent-set-location: no 'location' was given");
    bool move = false;
    if (auto* m = args.if_contains("move")) {
        auto flag = as_flag(*m);
        if (!flag) return make_error("'move' is not a boolean");
        move = *flag;
    }
    return move_torrents(*torrents, *location, move);
}

RpcMethods::Answer RpcMethods::move_torrents(const std::vector<TorrentSummary>& torrents, const json::value& location,
                                             bool move) {
    if (!location.is_string() || location.get_string().empty()) return make_error("'location' is not a folder");
    const std::filesystem::path dir(std::string(location.get_string()));
    if (!dir.is_absolute()) return make_error("'location' is not an absolute path");
    for (const TorrentSummary& s : torrents) {
        if (auto done = control_.move_storage(s.id, dir, move); !done) {
            return make_error(s.name + ": " + done.error().message);
        }
    }
    return json::object{};
}

}  // namespace shoal::daemon
