#include "daemon/rpc_methods.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "control/stored_torrent.hpp"
#include "daemon/base64.hpp"
#include "metainfo/magnet.hpp"
#include "metainfo/torrent_info.hpp"

namespace json = boost::json;

namespace shoal::daemon {
namespace {

using control::TorrentSummary;

// Transmission's tr_torrent_activity.
enum Status { stopped = 0, check_wait = 1, check = 2, download_wait = 3, download = 4, seed_wait = 5, seed = 6 };

int status_of(const TorrentSummary& s) {
    switch (s.stats.state) {
        case TorrentState::paused:
        case TorrentState::error: return stopped;
        case TorrentState::checking: return check;
        case TorrentState::fetching_metadata:
        case TorrentState::downloading: return download;
        case TorrentState::seeding: return seed;
    }
    return stopped;
}

std::string error_string(const TorrentSummary& s) {
    if (!s.error.empty()) return s.error;
    if (s.stats.state == TorrentState::error) return "error";
    return {};
}

std::int64_t left_until_done(const TorrentSummary& s) {
    return std::max<std::int64_t>(0, s.stats.total_wanted - s.stats.total_wanted_done);
}

double percent_done(const TorrentSummary& s) {
    if (!s.info) return 0;
    if (s.stats.total_wanted <= 0) return s.stats.state == TorrentState::checking ? 0 : 1;
    return static_cast<double>(s.stats.total_wanted_done) / static_cast<double>(s.stats.total_wanted);
}

// Transmission's TR_ETA_NOT_AVAIL (-1) and TR_ETA_UNKNOWN (-2).
std::int64_t eta(const TorrentSummary& s) {
    if (s.stats.state != TorrentState::downloading && s.stats.state != TorrentState::fetching_metadata) return -1;
    const std::int64_t left = left_until_done(s);
    if (s.info && left == 0) return -1;
    if (s.stats.download_rate < 1) return -2;
    return static_cast<std::int64_t>(static_cast<double>(left) / s.stats.download_rate);
}

// Transmission's tr_getRatio: TR_RATIO_NA (-1) with nothing moved, TR_RATIO_INF (-2) with
// uploads but no downloads.
double upload_ratio(const TorrentSummary& s) {
    const std::int64_t down = std::max(s.stats.all_time_downloaded, s.stats.total_wanted_done);
    if (down > 0) return static_cast<double>(s.stats.all_time_uploaded) / static_cast<double>(down);
    return s.stats.all_time_uploaded > 0 ? -2 : -1;
}

std::optional<json::value> field(const TorrentSummary& s, std::string_view name) {
    const TorrentStats& st = s.stats;
    if (name == "id") return json::value(s.id.value);
    if (name == "name") return json::value(s.name);
    if (name == "hashString") return json::value(s.store_id);
    if (name == "status") return json::value(status_of(s));
    if (name == "percentDone") return json::value(percent_done(s));
    if (name == "totalSize") return json::value(s.info ? s.info->total_size : 0);
    if (name == "sizeWhenDone") return json::value(st.total_wanted);
    if (name == "leftUntilDone") return json::value(left_until_done(s));
    if (name == "rateDownload") return json::value(static_cast<std::int64_t>(st.download_rate));
    if (name == "rateUpload") return json::value(static_cast<std::int64_t>(st.upload_rate));
    if (name == "uploadedEver") return json::value(st.all_time_uploaded);
    if (name == "downloadedEver") return json::value(st.all_time_downloaded);
    if (name == "peersConnected") return json::value(st.peers);
    if (name == "eta") return json::value(eta(s));
    // Transmission's TR_STAT_LOCAL_ERROR (3): Shoal does not keep tracker warnings apart.
    if (name == "error") return json::value(error_string(s).empty() ? 0 : 3);
    if (name == "errorString") return json::value(error_string(s));
    if (name == "downloadDir") return json::value(s.save_dir.string());
    if (name == "addedDate") return json::value(s.added_on);
    if (name == "doneDate") return json::value(s.completed_on);
    // Done downloading, and seeding stopped by a seed limit.
    if (name == "isFinished") return json::value(s.finished && s.seed_limit_reached);
    if (name == "uploadRatio") return json::value(upload_ratio(s));
    if (name == "magnetLink") return json::value(s.magnet);
    if (name == "metadataPercentComplete") return json::value(s.info ? 1.0 : 0.0);
    if (name == "isPrivate") return json::value(s.info && s.info->is_private);
    if (name == "pieceCount") return json::value(s.info ? s.info->num_pieces : 0);
    if (name == "pieceSize") return json::value(s.info ? s.info->piece_length : 0);
    if (name == "sequentialDownload") return json::value(s.sequential);
    return std::nullopt;
}

std::optional<std::int64_t> as_integer(const json::value& v) {
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v.get_uint64());
    if (v.is_double() && v.get_double() == static_cast<double>(static_cast<std::int64_t>(v.get_double())))
        return static_cast<std::int64_t>(v.get_double());
    return std::nullopt;
}

// Booleans as Transmission takes them: true/false, or a number (0 is false).
std::optional<bool> as_flag(const json::value& v) {
    if (v.is_bool()) return v.get_bool();
    if (auto n = as_integer(v)) return *n != 0;
    return std::nullopt;
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return text;
}

// The key a torrent is kept under, from the request (to find a duplicate); "" when unknown.
std::string request_key(const control::AddTorrent& request) {
    if (!request.metainfo.empty()) {
        auto info = parse_torrent(request.metainfo);
        return info ? control::stored_id(*info) : std::string{};
    }
    auto magnet = parse_magnet(request.magnet);
    if (!magnet) return {};
    if (magnet->info_hash_v1) return magnet->info_hash_v1->hex();
    if (magnet->info_hash_v2) return magnet->info_hash_v2->hex();
    return {};
}

json::object torrent_brief(const TorrentSummary& s) {
    return json::object{{"id", s.id.value}, {"name", s.name}, {"hashString", s.store_id}};
}

Result<std::string> read_torrent_file(const std::filesystem::path& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return make_error(ErrorCode::not_found, "cannot read '" + path.string() + "': " + ec.message());
    if (size > k_max_torrent_file_bytes) return make_error(ErrorCode::too_large, "'" + path.string() + "' is too large");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in && !in.eof()) return make_error(ErrorCode::io, "cannot read '" + path.string() + "'");
    return bytes.str();
}

// torrent-add arguments that would change what is downloaded or how; refused, not ignored.
constexpr std::string_view k_unsupported_add_arguments[] = {
    "files-wanted", "files-unwanted", "priority-high", "priority-low", "priority-normal",
    "peer-limit", "bandwidthPriority", "labels", "cookies", "sequentialDownload"};

}  // namespace

RpcMethods::RpcMethods(control::TorrentControl& control, DaemonFacts facts,
                       std::function<std::chrono::steady_clock::time_point()> now)
    : control_(control), facts_(std::move(facts)), now_(std::move(now)), started_(now_()) {}

std::string RpcMethods::handle(std::string_view body) {
    json::object answer;
    boost::system::error_code ec;
    json::value request = json::parse(body, ec);
    if (ec || !request.is_object()) {
        answer["arguments"] = json::object{};
        answer["result"] = "the request is not a JSON object";
        return json::serialize(answer);
    }
    const json::object& r = request.get_object();
    Answer result = [&]() -> Answer {
        static const json::object k_no_arguments;
        const json::object* args = &k_no_arguments;
        if (auto* a = r.if_contains("arguments")) {
            if (!a->is_object()) return make_error("'arguments' is not an object");
            args = &a->get_object();
        }
        auto* m = r.if_contains("method");
        if (!m || !m->is_string()) return make_error("no method name was given");
        return call(std::string_view(m->get_string()), *args);
    }();
    answer["arguments"] = result ? std::move(*result) : json::object{};
    answer["result"] = result ? std::string("success") : result.error().message;
    if (auto* tag = r.if_contains("tag")) answer["tag"] = *tag;
    return json::serialize(answer);
}

RpcMethods::Answer RpcMethods::call(std::string_view method, const json::object& args) {
    if (method == "session-get") return session_get(args);
    if (method == "session-stats") return session_stats();
    if (method == "torrent-add") return torrent_add(args);
    if (method == "torrent-get") return torrent_get(args);
    if (method == "torrent-remove") return torrent_remove(args);
    if (method == "torrent-start" || method == "torrent-start-now" || method == "torrent-stop" ||
        method == "torrent-verify" || method == "torrent-reannounce") {
        return torrent_action(method, args);
    }
    return make_error("method name not recognized");
}

RpcMethods::Answer RpcMethods::session_get(const json::object& args) {
    const SessionSettings& s = facts_.settings;
    json::object all;
    all["version"] = facts_.version;
    all["rpc-version"] = k_rpc_version;
    all["rpc-version-minimum"] = k_rpc_version_minimum;
    all["rpc-version-semver"] = "5.3.0";
    all["session-id"] = facts_.session_id;
    all["config-dir"] = facts_.config_dir.string();
    all["download-dir"] = facts_.download_dir.string();
    std::error_code ec;
    const auto space = std::filesystem::space(facts_.download_dir, ec);
    all["download-dir-free-space"] = ec ? std::int64_t{-1} : static_cast<std::int64_t>(space.available);
    all["peer-port"] = control_.listen_port();
    all["peer-port-random-on-start"] = false;
    all["port-forwarding-enabled"] = s.enable_port_mapping;
    all["dht-enabled"] = s.enable_dht;
    all["pex-enabled"] = s.enable_pex;
    all["lpd-enabled"] = s.enable_lsd;
    all["utp-enabled"] = s.enable_utp;
    // Transmission has no word for refusing encryption outright, so it is not named then.
    if (s.encryption == EncryptionPolicy::prefer) all["encryption"] = "preferred";
    if (s.encryption == EncryptionPolicy::require) all["encryption"] = "required";
    all["peer-limit-per-torrent"] = s.max_peers_per_torrent;
    all["peer-limit-global"] = s.max_connections;
    // Transmission's speed limits are in kB/s of 1,000 bytes (the units below).
    all["speed-limit-down"] = s.download_limit / 1000;
    all["speed-limit-down-enabled"] = s.download_limit > 0;
    all["speed-limit-up"] = s.upload_limit / 1000;
    all["speed-limit-up-enabled"] = s.upload_limit > 0;
    all["seedRatioLimit"] = facts_.seed_limits.ratio;
    all["seedRatioLimited"] = facts_.seed_limits.ratio > 0;
    all["start-added-torrents"] = true;
    // What Shoal has none of.
    all["alt-speed-enabled"] = false;
    all["blocklist-enabled"] = false;
    all["download-queue-enabled"] = false;
    all["seed-queue-enabled"] = false;
    all["queue-stalled-enabled"] = false;
    all["incomplete-dir-enabled"] = false;
    all["rename-partial-files"] = false;
    all["idle-seeding-limit-enabled"] = false;
    all["script-torrent-done-enabled"] = false;
    all["units"] = json::object{
        {"speed-units", json::array{"kB/s", "MB/s", "GB/s", "TB/s"}},
        {"speed-bytes", 1000},
        {"size-units", json::array{"kB", "MB", "GB", "TB"}},
        {"size-bytes", 1000},
        {"memory-units", json::array{"KiB", "MiB", "GiB", "TiB"}},
        {"memory-bytes", 1024},
    };
    const json::value* fields = args.if_contains("fields");
    if (!fields) return all;
    if (!fields->is_array()) return make_error("'fields' is not an array");
    json::object chosen;
    for (const auto& f : fields->get_array()) {
        if (!f.is_string()) continue;
        if (auto* v = all.if_contains(f.get_string())) chosen[f.get_string()] = *v;
    }
    return chosen;
}

RpcMethods::Answer RpcMethods::session_stats() {
    const auto torrents = control_.summaries();
    std::int64_t paused = 0;
    double down = 0;
    double up = 0;
    std::int64_t uploaded = removed_uploaded_;
    std::int64_t downloaded = removed_downloaded_;
    for (const auto& s : torrents) {
        if (s.stats.state == TorrentState::paused) ++paused;
        down += s.stats.download_rate;
        up += s.stats.upload_rate;
        uploaded += s.stats.uploaded;
        downloaded += s.stats.downloaded;
    }
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now_() - started_).count();
    json::object out;
    out["activeTorrentCount"] = static_cast<std::int64_t>(torrents.size()) - paused;
    out["pausedTorrentCount"] = paused;
    out["torrentCount"] = torrents.size();
    out["downloadSpeed"] = static_cast<std::int64_t>(down);
    out["uploadSpeed"] = static_cast<std::int64_t>(up);
    // This run only: Shoal keeps no totals over its runs, so cumulative-stats is left out.
    out["current-stats"] = json::object{{"uploadedBytes", uploaded},
                                        {"downloadedBytes", downloaded},
                                        {"filesAdded", added_},
                                        {"sessionCount", 1},
                                        {"secondsActive", seconds}};
    return out;
}

RpcMethods::Answer RpcMethods::torrent_add(const json::object& args) {
    for (auto name : k_unsupported_add_arguments) {
        if (args.contains(name)) return make_error("torrent-add: '" + std::string(name) + "' is not supported by Shoal");
    }
    control::AddTorrent request;
    if (auto* metainfo = args.if_contains("metainfo")) {
        if (!metainfo->is_string()) return make_error("'metainfo' is not a string");
        auto bytes = from_base64(metainfo->get_string());
        if (!bytes || bytes->empty()) return make_error("'metainfo' is not base64");
        request.metainfo = std::move(*bytes);
    } else if (auto* filename = args.if_contains("filename")) {
        if (!filename->is_string()) return make_error("'filename' is not a string");
        const std::string name(filename->get_string());
        if (name.starts_with("magnet:")) {
            request.magnet = name;
        } else if (name.starts_with("http://") || name.starts_with("https://")) {
            return make_error("torrent-add: fetching a .torrent file from a URL is not supported by Shoal");
        } else {
            auto bytes = read_torrent_file(name);
            if (!bytes) return bytes.error();
            request.metainfo = std::move(*bytes);
        }
    } else {
        return make_error("no filename or metainfo specified");
    }
    request.save_dir = facts_.download_dir;
    if (auto* dir = args.if_contains("download-dir")) {
        if (!dir->is_string()) return make_error("'download-dir' is not a string");
        const std::filesystem::path path(std::string(dir->get_string()));
        if (!path.is_absolute()) return make_error("download directory path is not absolute");
        request.save_dir = path;
    }
    if (auto* paused = args.if_contains("paused")) {
        auto flag = as_flag(*paused);
        if (!flag) return make_error("'paused' is not a boolean");
        request.paused = *flag;
    }
    const std::string key = request_key(request);
    auto added = control_.add(std::move(request));
    if (!added) {
        if (added.error().code == ErrorCode::already_exists) {
            for (const auto& s : control_.summaries()) {
                if (!key.empty() && s.store_id == key) return json::object{{"torrent-duplicate", torrent_brief(s)}};
            }
        }
        return added.error();
    }
    ++added_;
    const TorrentSummary* s = control_.find(*added);
    if (!s) return make_error("the torrent was added but is not in the list");
    return json::object{{"torrent-added", torrent_brief(*s)}};
}

Result<std::vector<TorrentSummary>> RpcMethods::select(const json::object& args) const {
    auto all = control_.summaries();
    const json::value* ids = args.if_contains("ids");
    if (!ids || (ids->is_string() && ids->get_string() == "recently-active")) return all;
    std::vector<std::uint32_t> numbers;
    std::vector<std::string> hashes;
    auto take = [&](const json::value& v) -> bool {
        if (auto n = as_integer(v)) {
            if (*n > 0 && *n <= UINT32_MAX) numbers.push_back(static_cast<std::uint32_t>(*n));
            return true;
        }
        if (v.is_string()) {
            hashes.push_back(lower(std::string(v.get_string())));
            return true;
        }
        return false;
    };
    if (ids->is_array()) {
        for (const auto& v : ids->get_array()) {
            if (!take(v)) return make_error("'ids' holds something that is neither a torrent id nor a hash");
        }
    } else if (!take(*ids)) {
        return make_error("'ids' is neither a torrent id, a hash, a list of them, nor \"recently-active\"");
    }
    std::vector<TorrentSummary> chosen;
    for (auto& s : all) {
        const bool named = std::find(numbers.begin(), numbers.end(), s.id.value) != numbers.end() ||
                           std::find(hashes.begin(), hashes.end(), s.store_id) != hashes.end();
        if (named) chosen.push_back(std::move(s));
    }
    return chosen;
}

RpcMethods::Answer RpcMethods::torrent_get(const json::object& args) {
    const json::value* fields = args.if_contains("fields");
    if (!fields || !fields->is_array()) return make_error("no fields specified");
    std::vector<std::string> names;
    for (const auto& f : fields->get_array()) {
        if (f.is_string()) names.emplace_back(f.get_string());
    }
    bool table = false;
    if (auto* format = args.if_contains("format")) {
        if (!format->is_string() || (format->get_string() != "table" && format->get_string() != "objects"))
            return make_error("'format' is neither \"objects\" nor \"table\"");
        table = format->get_string() == "table";
    }
    auto torrents = select(args);
    if (!torrents) return torrents.error();
    json::array list;
    if (table) {
        json::array keys;
        const TorrentSummary known_fields;
        for (const auto& n : names) {
            if (field(known_fields, n)) keys.emplace_back(n);
        }
        list.emplace_back(keys);
        for (const auto& s : *torrents) {
            json::array row;
            for (const auto& k : keys) row.push_back(*field(s, k.get_string()));
            list.emplace_back(std::move(row));
        }
    } else {
        for (const auto& s : *torrents) {
            json::object o;
            for (const auto& n : names) {
                if (auto v = field(s, n)) o[n] = std::move(*v);
            }
            list.emplace_back(std::move(o));
        }
    }
    json::object out;
    out["torrents"] = std::move(list);
    const json::value* ids = args.if_contains("ids");
    if (ids && ids->is_string() && ids->get_string() == "recently-active") {
        // Every torrent is given (Shoal does not tell the recently active apart), and the
        // ids gone since the last such request.
        std::set<std::uint32_t> now;
        for (const auto& s : *torrents) now.insert(s.id.value);
        json::array removed;
        for (auto id : known_ids_) {
            if (!now.contains(id)) removed.emplace_back(id);
        }
        known_ids_ = std::move(now);
        out["removed"] = std::move(removed);
    }
    return out;
}

RpcMethods::Answer RpcMethods::torrent_action(std::string_view method, const json::object& args) {
    auto torrents = select(args);
    if (!torrents) return torrents.error();
    for (const auto& s : *torrents) {
        Result<Done> done = Done{};
        if (method == "torrent-start" || method == "torrent-start-now") done = control_.resume(s.id);
        if (method == "torrent-stop") done = control_.pause(s.id);
        if (method == "torrent-verify") done = control_.recheck(s.id);
        if (method == "torrent-reannounce") done = control_.reannounce(s.id);
        if (!done) return make_error(s.name + ": " + done.error().message);
    }
    return json::object{};
}

RpcMethods::Answer RpcMethods::torrent_remove(const json::object& args) {
    auto torrents = select(args);
    if (!torrents) return torrents.error();
    bool with_data = false;
    if (auto* d = args.if_contains("delete-local-data")) {
        auto flag = as_flag(*d);
        if (!flag) return make_error("'delete-local-data' is not a boolean");
        with_data = *flag;
    }
    for (const auto& s : *torrents) {
        if (auto done = control_.remove(s.id, with_data); !done) return make_error(s.name + ": " + done.error().message);
        removed_uploaded_ += s.stats.uploaded;
        removed_downloaded_ += s.stats.downloaded;
    }
    return json::object{};
}

}  // namespace shoal::daemon
