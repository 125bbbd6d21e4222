#include "control/torrent_list_store.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <limits>

#include "control/torrent_control.hpp"
#include "control/web_seed_list.hpp"

namespace fs = std::filesystem;
namespace json = boost::json;

namespace shoal::control {
namespace {

constexpr std::int64_t k_format_version = 1;

json::object to_json(const StoredTorrent& t) {
    json::object o;
    o["version"] = k_format_version;
    if (!t.metainfo.empty() || t.metainfo_saved) o["metainfo"] = t.id + ".torrent";
    if (!t.magnet.empty()) o["magnet"] = t.magnet;
    o["save_dir"] = t.save_dir.string();
    if (!t.complete_dir.empty()) o["complete_dir"] = t.complete_dir.string();
    o["paused"] = t.paused;
    o["sequential"] = t.sequential;
    o["added_on"] = t.added_on;
    json::array priorities;
    for (int p : t.file_priorities) priorities.push_back(p);
    o["file_priorities"] = std::move(priorities);
    json::object names;
    for (const auto& [file, name] : t.file_names) names[std::to_string(file)] = name;
    o["file_names"] = std::move(names);
    if (t.trackers) {
        json::array tiers;
        for (const auto& tier : *t.trackers) {
            json::array urls;
            for (const auto& url : tier) urls.push_back(json::string(url));
            tiers.push_back(std::move(urls));
        }
        o["trackers"] = std::move(tiers);
    }
    if (t.web_seeds) {
        json::array urls;
        for (const auto& url : *t.web_seeds) urls.push_back(json::string(url));
        o["web_seeds"] = std::move(urls);
    }
    o["upload_limit"] = t.upload_limit;
    o["download_limit"] = t.download_limit;
    if (t.peer_limit != 0) o["peer_limit"] = t.peer_limit;
    o["seed_ratio_mode"] = static_cast<std::int64_t>(t.seed_limits.ratio_mode);
    o["seed_ratio"] = t.seed_limits.ratio;
    o["seed_idle_mode"] = static_cast<std::int64_t>(t.seed_limits.idle_mode);
    o["seed_idle_minutes"] = t.seed_limits.idle_minutes;
    if (t.queue_position) o["queue_position"] = *t.queue_position;
    if (!t.labels.empty()) {
        json::array labels;
        for (const auto& label : t.labels) labels.push_back(json::string(label));
        o["labels"] = std::move(labels);
    }
    return o;
}

// Reads fields of a record, remembering the first thing wrong with it.
class RecordReader {
public:
    RecordReader(const json::object& o, const StoreLimits& limits) : o_(o), limits_(limits) {}

    std::string string(std::string_view key) {
        const json::value* v = o_.if_contains(key);
        if (!v) return {};
        if (!v->is_string()) return fail(std::string(key) + " is not a string"), std::string{};
        if (v->as_string().size() > limits_.max_string) return fail(std::string(key) + " is too long"), std::string{};
        return std::string(v->as_string());
    }
    bool boolean(std::string_view key) {
        const json::value* v = o_.if_contains(key);
        if (!v) return false;
        if (!v->is_bool()) return fail(std::string(key) + " is not true or false"), false;
        return v->as_bool();
    }
    std::int64_t integer(std::string_view key, std::int64_t low, std::int64_t high, std::int64_t absent = 0) {
        const json::value* v = o_.if_contains(key);
        if (!v) return absent;
        if (!v->is_int64() || v->as_int64() < low || v->as_int64() > high) {
            return fail(std::string(key) + " is not a number in range"), 0;
        }
        return v->as_int64();
    }
    double number(std::string_view key, double low, double high, double absent) {
        const json::value* v = o_.if_contains(key);
        if (!v) return absent;
        if (!v->is_number()) return fail(std::string(key) + " is not a number"), absent;
        const double d = v->to_number<double>();
        if (!(d >= low && d <= high)) return fail(std::string(key) + " is not a number in range"), absent;
        return d;
    }
    const json::array* array(std::string_view key) {
        const json::value* v = o_.if_contains(key);
        if (!v) return nullptr;
        if (!v->is_array()) return fail(std::string(key) + " is not a list"), nullptr;
        return &v->as_array();
    }
    const json::object* object(std::string_view key) {
        const json::value* v = o_.if_contains(key);
        if (!v) return nullptr;
        if (!v->is_object()) return fail(std::string(key) + " is not an object"), nullptr;
        return &v->as_object();
    }
    void fail(std::string why) {
        if (problem_.empty()) problem_ = std::move(why);
    }
    const std::string& problem() const { return problem_; }

private:
    const json::object& o_;
    const StoreLimits& limits_;
    std::string problem_;
};

void read_lists(RecordReader& r, const StoreLimits& limits, StoredTorrent& t) {
    if (const json::array* priorities = r.array("file_priorities")) {
        for (const auto& p : *priorities) {
            if (!p.is_int64() || p.as_int64() < 0 || p.as_int64() > 7) return r.fail("a file priority is not 0 to 7");
            t.file_priorities.push_back(static_cast<int>(p.as_int64()));
        }
    }
    if (const json::object* names = r.object("file_names")) {
        for (const auto& [key, value] : *names) {
            std::size_t file = 0;
            const std::string k(key);
            if (k.empty() || k.size() > 9 || !std::all_of(k.begin(), k.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
                !value.is_string() || value.as_string().size() > limits.max_string) {
                return r.fail("a file name is not an index and a name");
            }
            file = std::stoul(k);
            t.file_names[file] = std::string(value.as_string());
        }
    }
    if (const json::array* tiers = r.array("trackers")) {
        std::vector<Tier> out;
        for (const auto& tier : *tiers) {
            if (!tier.is_array()) return r.fail("a tracker tier is not a list");
            Tier urls;
            for (const auto& url : tier.as_array()) {
                if (!url.is_string() || url.as_string().size() > limits.max_string) return r.fail("a tracker is not a URL");
                urls.emplace_back(url.as_string());
            }
            if (!urls.empty()) out.push_back(std::move(urls));
        }
        t.trackers = std::move(out);
    }
    if (const json::array* urls = r.array("web_seeds")) {
        std::vector<std::string> out;
        for (const auto& url : *urls) {
            if (!url.is_string()) return r.fail("a web seed is not a URL");
            if (auto added = control::add_web_seed(out, std::string(url.as_string())); !added)
                return r.fail("web seed: " + added.error().message);
        }
        t.web_seeds = std::move(out);
    }
    if (const json::array* labels = r.array("labels")) {
        Labels read;
        for (const auto& label : *labels) {
            if (!label.is_string() || label.as_string().size() > limits.max_string) return r.fail("a label is not text");
            read.emplace_back(label.as_string());
        }
        auto checked = checked_labels(std::move(read));
        if (!checked) return r.fail(checked.error().message);
        t.labels = std::move(*checked);
    }
}

}  // namespace

TorrentListStore::TorrentListStore(fs::path state_dir, StoreLimits limits)
    : folder_(std::move(state_dir) / "torrents"), limits_(limits) {}

bool TorrentListStore::exists() const {
    std::error_code ec;
    return fs::is_directory(folder_, ec);
}

fs::path TorrentListStore::record_path(const std::string& id) const { return folder_ / (id + ".json"); }
fs::path TorrentListStore::metainfo_path(const std::string& id) const { return folder_ / (id + ".torrent"); }

Result<Done> TorrentListStore::save(const StoredTorrent& t) const {
    std::error_code ec;
    fs::create_directories(folder_, ec);
    if (ec) return make_error(ErrorCode::io, "cannot make " + folder_.string() + ": " + ec.message());
    // The metainfo first: a record never names a file that is not there.
    if (!t.metainfo.empty() && !fs::exists(metainfo_path(t.id), ec)) {
        if (auto written = write_file_atomically(metainfo_path(t.id), t.metainfo); !written) return written;
    }
    return write_file_atomically(record_path(t.id), json::serialize(to_json(t)) + "\n");
}

void TorrentListStore::remove(const std::string& id) const {
    std::error_code ec;
    fs::remove(record_path(id), ec);
    fs::remove(metainfo_path(id), ec);
}

Result<std::string> TorrentListStore::read_metainfo(const std::string& id) const {
    return read_small_file(metainfo_path(id), TorrentLimits{}.max_file_bytes);
}

Result<StoredTorrent> TorrentListStore::read(const fs::path& record, MetainfoBytes metainfo_bytes) const {
    auto corrupt = [&](const std::string& why) { return make_error(ErrorCode::invalid_input, record.string() + ": " + why); };
    auto bytes = read_small_file(record, limits_.max_record_bytes);
    if (!bytes) return bytes.error();
    json::error_code ec;
    json::value parsed = json::parse(*bytes, ec);
    if (ec || !parsed.is_object()) return corrupt("not a JSON object");
    RecordReader r(parsed.as_object(), limits_);
    if (r.integer("version", 0, 1000) > k_format_version) return corrupt("written by a newer version of Shoal");
    StoredTorrent t;
    t.id = record.stem().string();
    t.magnet = r.string("magnet");
    t.save_dir = r.string("save_dir");
    t.complete_dir = r.string("complete_dir");
    t.paused = r.boolean("paused");
    t.sequential = r.boolean("sequential");
    t.added_on = r.integer("added_on", 0, std::int64_t{1} << 40);
    t.upload_limit = r.integer("upload_limit", 0, std::int64_t{1} << 40);
    t.download_limit = r.integer("download_limit", 0, std::int64_t{1} << 40);
    t.peer_limit = static_cast<int>(r.integer("peer_limit", 0, k_max_peer_limit));
    // Records written before per-torrent seed limits have none: the global limits apply.
    const TorrentSeedLimits defaults;
    t.seed_limits.ratio_mode = static_cast<SeedLimitMode>(r.integer("seed_ratio_mode", 0, 2));
    t.seed_limits.ratio = r.number("seed_ratio", 0, k_max_seed_ratio, defaults.ratio);
    t.seed_limits.idle_mode = static_cast<SeedLimitMode>(r.integer("seed_idle_mode", 0, 2));
    t.seed_limits.idle_minutes = r.integer("seed_idle_minutes", 0, k_max_idle_minutes, defaults.idle_minutes);
    if (parsed.as_object().contains("queue_position")) t.queue_position = r.integer("queue_position", 0, std::int64_t{1} << 40);
    read_lists(r, limits_, t);
    const std::string metainfo = r.string("metainfo");
    if (!r.problem().empty()) return corrupt(r.problem());
    if (!metainfo.empty()) {
        if (metainfo != t.id + ".torrent") return corrupt("names another torrent's file");
        if (metainfo_bytes == MetainfoBytes::with_record) {
            auto file = read_metainfo(t.id);
            if (!file) return file.error();
            t.metainfo = std::move(*file);
        }
        t.metainfo_saved = true;
    } else if (t.magnet.empty()) {
        return corrupt("neither a torrent nor a magnet link");
    }
    if (t.save_dir.empty()) return corrupt("no save folder");
    return t;
}

TorrentListStore::RecordFiles::RecordFiles(const TorrentListStore& store)
    // No folder: no torrents yet.
    : store_(store), it_(store.folder_, open_error_), done_(open_error_.operator bool()) {}

bool TorrentListStore::RecordFiles::list_some(std::size_t count, std::vector<fs::path>& out,
                                              std::vector<Error>& problems) {
    std::error_code ec;
    for (; !done_ && count > 0; --count) {
        if (it_ == fs::directory_iterator()) {
            done_ = true;
            break;
        }
        if (it_->path().extension() == ".json") {
            if (out.size() >= store_.limits_.max_torrents) {
                problems.push_back(make_error(ErrorCode::invalid_input,
                                              store_.folder_.string() + ": too many torrents; the rest are left out"));
                done_ = true;
                break;
            }
            out.push_back(it_->path());
        }
        it_.increment(ec);
        if (ec) done_ = true;
    }
    return done_;
}

void TorrentListStore::sort_oldest_first(std::vector<StoredTorrent>& records) {
    std::stable_sort(records.begin(), records.end(), [](const StoredTorrent& a, const StoredTorrent& b) {
        return a.added_on != b.added_on ? a.added_on < b.added_on : a.id < b.id;
    });
}

std::vector<StoredTorrent> TorrentListStore::load(std::vector<Error>& problems, MetainfoBytes metainfo) const {
    std::vector<fs::path> files;
    RecordFiles lister(*this);
    while (!lister.list_some(std::numeric_limits<std::size_t>::max(), files, problems)) {
    }
    std::vector<StoredTorrent> out;
    for (const auto& file : files) {
        auto record = read(file, metainfo);
        if (record) {
            out.push_back(std::move(record.value()));
        } else {
            problems.push_back(record.error());
        }
    }
    sort_oldest_first(out);
    return out;
}

}  // namespace shoal::control
