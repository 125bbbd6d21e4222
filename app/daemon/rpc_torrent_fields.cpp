#include "daemon/rpc_torrent_fields.hpp"

#include <algorithm>
#include <ctime>
#include <functional>
#include <map>

#include "daemon/base64.hpp"
#include "daemon/rpc_values.hpp"
#include "util/endpoint.hpp"

namespace json = boost::json;

namespace shoal::daemon {
namespace {

using control::TorrentSummary;

// Transmission's tr_torrent_activity.
enum Status { stopped = 0, check_wait = 1, check = 2, download_wait = 3, download = 4, seed_wait = 5, seed = 6 };

int status_of(const TorrentSummary& s) {
    // A torrent held for the queue while it checks is shown checking.
    const bool waiting = s.stats.state != TorrentState::checking;
    if (waiting && s.queued == TorrentSummary::Queued::to_download) return download_wait;
    if (waiting && s.queued == TorrentSummary::Queued::to_seed) return seed_wait;
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

double percent_complete(const TorrentSummary& s) {
    if (!s.info || s.stats.num_pieces <= 0) return 0;
    return static_cast<double>(s.stats.pieces_have) / static_cast<double>(s.stats.num_pieces);
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

bool has_piece(const std::string& have, std::int64_t piece) {
    const auto byte = static_cast<std::size_t>(piece / 8);
    return byte < have.size() && ((static_cast<unsigned char>(have[byte]) >> (7 - piece % 8)) & 1);
}

// Verified bytes of each file: from the last details' pieces, or all of it when finished.
std::vector<std::int64_t> bytes_completed(const TorrentView& t, const std::vector<std::size_t>& files) {
    const TorrentInfo& info = *t.summary.info;
    std::vector<std::int64_t> done(files.size(), 0);
    const bool all = t.summary.stats.pieces_have >= info.num_pieces && info.num_pieces > 0;
    const std::string* have = t.details ? &t.details->have : nullptr;
    for (std::size_t i = 0; i < files.size(); ++i) {
        const FileEntry& f = info.files[files[i]];
        if (all || f.size == 0) {
            done[i] = all ? f.size : 0;
            continue;
        }
        if (!have || have->empty() || info.piece_length <= 0) continue;
        const std::int64_t end = f.offset + f.size;
        for (std::int64_t p = f.offset / info.piece_length; p * info.piece_length < end; ++p) {
            if (!has_piece(*have, p)) continue;
            const std::int64_t from = std::max(f.offset, p * info.piece_length);
            const std::int64_t to = std::min(end, (p + 1) * info.piece_length);
            done[i] += to - from;
        }
    }
    return done;
}

std::string joined_path(const FileEntry& f) {
    std::string path;
    for (const auto& part : f.path) path += (path.empty() ? "" : "/") + part;
    return path;
}

int priority_of(const TorrentView& t, std::size_t file) {
    if (!t.priorities || file >= t.priorities->size()) return 4;
    return (*t.priorities)[file];
}

json::value files(const TorrentView& t) {
    json::array out;
    if (!t.summary.info) return out;
    const auto indexes = rpc_file_indexes(*t.summary.info);
    const auto done = bytes_completed(t, indexes);
    for (std::size_t i = 0; i < indexes.size(); ++i) {
        const FileEntry& f = t.summary.info->files[indexes[i]];
        out.push_back(json::object{{"name", joined_path(f)}, {"length", f.size}, {"bytesCompleted", done[i]}});
    }
    return out;
}

json::value file_stats(const TorrentView& t) {
    json::array out;
    if (!t.summary.info) return out;
    const auto indexes = rpc_file_indexes(*t.summary.info);
    const auto done = bytes_completed(t, indexes);
    for (std::size_t i = 0; i < indexes.size(); ++i) {
        const int p = priority_of(t, indexes[i]);
        out.push_back(json::object{
            {"bytesCompleted", done[i]}, {"wanted", p > 0}, {"priority", transmission_priority(p)}});
    }
    return out;
}

json::value per_file(const TorrentView& t, const std::function<json::value(int)>& of_priority) {
    json::array out;
    if (!t.summary.info) return out;
    for (auto i : rpc_file_indexes(*t.summary.info)) out.push_back(of_priority(priority_of(t, i)));
    return out;
}

json::value peers(const TorrentView& t) {
    json::array out;
    if (!t.details) return out;
    for (const PeerInfo& p : t.details->peers) {
        auto endpoint = parse_ip_endpoint(p.address);
        const auto flag = [&](char c) { return p.flags.find(c) != std::string::npos; };
        // Transmission's flag letters where they differ: T for uTP.
        std::string flags = p.flags;
        std::replace(flags.begin(), flags.end(), 'P', 'T');
        out.push_back(json::object{
            {"address", endpoint ? endpoint->address().to_string() : p.address},
            {"port", endpoint ? endpoint->port() : 0},
            {"clientName", p.client},
            {"flagStr", flags},
            {"progress", p.progress},
            {"rateToClient", static_cast<std::int64_t>(p.download_rate)},
            {"rateToPeer", static_cast<std::int64_t>(p.upload_rate)},
            {"isDownloadingFrom", flag('D')},
            {"isUploadingTo", flag('U')},
            {"clientIsChoked", !flag('D')},
            {"clientIsInterested", flag('D') || flag('d')},
            {"peerIsChoked", !flag('U')},
            {"peerIsInterested", flag('U') || flag('u')},
            {"isIncoming", flag('I')},
            {"isEncrypted", p.encrypted},
            {"isUTP", p.transport == "uTP"},
        });
    }
    return out;
}

std::string host_of(const std::string& url) {
    const auto start = url.find("://");
    if (start == std::string::npos) return url;
    const auto from = start + 3;
    const auto end = url.find_first_of("/?#", from);
    return url.substr(0, end == std::string::npos ? url.size() : end);
}

// Tracker ids are positions in the tiers as the user last set them, the first tier first.
json::value trackers(const TorrentView& t) {
    json::array out;
    if (!t.trackers) return out;
    int id = 0;
    for (std::size_t tier = 0; tier < t.trackers->size(); ++tier) {
        for (const auto& url : (*t.trackers)[tier]) {
            out.push_back(json::object{{"id", id++}, {"announce", url}, {"scrape", ""},
                                       {"sitename", host_of(url)}, {"tier", tier}});
        }
    }
    return out;
}

json::value tracker_list(const TorrentView& t) {
    std::string text;
    if (!t.trackers) return json::value(text);
    for (const auto& tier : *t.trackers) {
        if (!text.empty()) text += "\n";
        for (const auto& url : tier) text += url + "\n";
    }
    return json::value(text);
}

// Transmission's tr_tracker_state.
enum AnnounceState { inactive = 0, waiting = 1 };

json::value tracker_stats(const TorrentView& t) {
    json::array out;
    if (!t.trackers) return out;
    std::map<std::string, const TrackerInfo*> status;
    if (t.details) {
        for (const auto& info : t.details->tracker_status) status[info.url] = &info;
    }
    const std::int64_t now = std::time(nullptr);
    int id = 0;
    for (std::size_t tier = 0; tier < t.trackers->size(); ++tier) {
        for (const auto& url : (*t.trackers)[tier]) {
            auto it = status.find(url);
            const TrackerInfo* s = it == status.end() ? nullptr : it->second;
            const bool announced = s && s->status != TrackerInfo::Status::not_contacted;
            const bool next_known = s && s->next_announce_seconds >= 0;
            out.push_back(json::object{
                {"id", id++},
                {"announce", url},
                {"host", host_of(url)},
                {"sitename", host_of(url)},
                {"tier", tier},
                {"isBackup", false},
                {"hasAnnounced", announced},
                {"lastAnnounceSucceeded", s && s->status == TrackerInfo::Status::working},
                {"lastAnnounceResult", s ? s->message : std::string{}},
                {"lastAnnouncePeerCount", s && s->peers >= 0 ? s->peers : 0},
                {"lastAnnounceTime", s && s->last_reply_seconds >= 0 ? now - s->last_reply_seconds : 0},
                {"lastAnnounceStartTime", s && s->last_reply_seconds >= 0 ? now - s->last_reply_seconds : 0},
                {"lastAnnounceTimedOut", false},
                {"announceState", next_known ? waiting : inactive},
                {"nextAnnounceTime", next_known ? now + s->next_announce_seconds : 0},
                // Shoal does not scrape.
                {"hasScraped", false},
                {"scrape", ""},
                {"scrapeState", inactive},
                {"lastScrapeResult", ""},
                {"lastScrapeSucceeded", false},
                {"lastScrapeTimedOut", false},
                {"lastScrapeTime", 0},
                {"lastScrapeStartTime", 0},
                {"nextScrapeTime", 0},
                {"seederCount", -1},
                {"leecherCount", -1},
                {"downloadCount", -1},
            });
        }
    }
    return out;
}

// Transmission's `pieces`: the pieces had as a bitfield (the first piece in the high bit of
// the first byte, as on the wire), base64. Until the session has sent the torrent's details,
// a torrent with every piece is all ones and any other is empty.
json::value pieces_had(const TorrentView& v) {
    if (v.details && !v.details->have.empty()) return json::value(to_base64(v.details->have));
    const std::int64_t count = v.summary.stats.num_pieces;
    if (count <= 0 || v.summary.stats.pieces_have != count) return json::value("");
    std::string bits(static_cast<std::size_t>((count + 7) / 8), '\xff');
    if (const auto spare = static_cast<int>(bits.size() * 8 - static_cast<std::size_t>(count)); spare > 0) {
        bits.back() = static_cast<char>(0xff << spare);
    }
    return json::value(to_base64(bits));
}

json::value web_seeds(const TorrentView& v) {
    json::array out;
    if (v.web_seeds) {
        for (const auto& url : *v.web_seeds) out.emplace_back(url);
    }
    return out;
}

using Field = std::function<json::value(const TorrentView&)>;

struct FieldEntry {
    Field get;
    bool needs_details = false;
};

const std::map<std::string, FieldEntry, std::less<>>& field_table() {
    static const std::map<std::string, FieldEntry, std::less<>> table = [] {
        std::map<std::string, FieldEntry, std::less<>> t;
        auto plain = [&](const char* name, std::function<json::value(const TorrentSummary&)> get) {
            t[name] = FieldEntry{[get](const TorrentView& v) { return get(v.summary); }, false};
        };
        auto detailed = [&](const char* name, Field get) { t[name] = FieldEntry{std::move(get), true}; };
        const auto info = [](const TorrentSummary& s) { return s.info.get(); };
        plain("id", [](auto& s) { return json::value(s.id.value); });
        plain("name", [](auto& s) { return json::value(s.name); });
        plain("hashString", [](auto& s) { return json::value(s.store_id); });
        // Shoal's own fields, as Transmission's RPC names one hash only (hashString: the key the
        // torrent is kept under, the v1 hash when the torrent was added with one, else the v2
        // hash): each info-hash in hex, "" when the torrent has none of that version (v1 or v2
        // only), null while the metadata is not in.
        plain("shoalInfoHashV1", [info](auto& s) {
            if (!info(s)) return json::value(nullptr);
            return json::value(info(s)->info_hash_v1 ? info(s)->info_hash_v1->hex() : std::string{});
        });
        plain("shoalInfoHashV2", [info](auto& s) {
            if (!info(s)) return json::value(nullptr);
            return json::value(info(s)->info_hash_v2 ? info(s)->info_hash_v2->hex() : std::string{});
        });
        // The torrent's own peer limit, or the session's while it has none (both names are
        // Transmission's).
        const Field peer_limit = [](const TorrentView& v) {
            return json::value(v.summary.peer_limit > 0 ? v.summary.peer_limit : v.session_peer_limit);
        };
        t["maxConnectedPeers"] = FieldEntry{peer_limit};
        t["peer-limit"] = FieldEntry{peer_limit};
        plain("status", [](auto& s) { return json::value(status_of(s)); });
        plain("queuePosition", [](auto& s) { return json::value(static_cast<std::int64_t>(s.queue_position)); });
        plain("percentDone", [](auto& s) { return json::value(percent_done(s)); });
        plain("percentComplete", [](auto& s) { return json::value(percent_complete(s)); });
        plain("totalSize", [info](auto& s) { return json::value(info(s) ? info(s)->total_size : 0); });
        plain("sizeWhenDone", [](auto& s) { return json::value(s.stats.total_wanted); });
        plain("leftUntilDone", [](auto& s) { return json::value(left_until_done(s)); });
        plain("haveValid", [](auto& s) { return json::value(s.stats.total_wanted_done); });
        plain("haveUnchecked", [](auto&) { return json::value(0); });
        plain("rateDownload", [](auto& s) { return json::value(static_cast<std::int64_t>(s.stats.download_rate)); });
        plain("rateUpload", [](auto& s) { return json::value(static_cast<std::int64_t>(s.stats.upload_rate)); });
        plain("uploadedEver", [](auto& s) { return json::value(s.stats.all_time_uploaded); });
        plain("downloadedEver", [](auto& s) { return json::value(s.stats.all_time_downloaded); });
        plain("peersConnected", [](auto& s) { return json::value(s.stats.peers); });
        plain("eta", [](auto& s) { return json::value(eta(s)); });
        // Transmission's TR_STAT_LOCAL_ERROR (3): Shoal does not keep tracker warnings apart.
        plain("error", [](auto& s) { return json::value(error_string(s).empty() ? 0 : 3); });
        plain("errorString", [](auto& s) { return json::value(error_string(s)); });
        // Where the data belongs, as Transmission says it, also while it waits in the incomplete folder.
        plain("downloadDir", [](auto& s) {
            return json::value(s.complete_dir.empty() ? s.save_dir : s.complete_dir);
        });
        plain("addedDate", [](auto& s) { return json::value(s.added_on); });
        plain("doneDate", [](auto& s) { return json::value(s.completed_on); });
        // Done downloading, and seeding stopped by a seed limit.
        plain("isFinished", [](auto& s) { return json::value(s.finished && s.seed_limit_reached); });
        plain("uploadRatio", [](auto& s) { return json::value(upload_ratio(s)); });
        plain("magnetLink", [](auto& s) { return json::value(control::magnet_link(s)); });
        plain("metadataPercentComplete", [](auto& s) { return json::value(s.info ? 1.0 : 0.0); });
        plain("isPrivate", [info](auto& s) { return json::value(info(s) && info(s)->is_private); });
        plain("pieceCount", [info](auto& s) { return json::value(info(s) ? info(s)->num_pieces : 0); });
        plain("pieceSize", [info](auto& s) { return json::value(info(s) ? info(s)->piece_length : 0); });
        plain("comment", [info](auto& s) { return json::value(info(s) ? info(s)->comment : ""); });
        plain("creator", [info](auto& s) { return json::value(info(s) ? info(s)->created_by : ""); });
        plain("dateCreated", [info](auto& s) { return json::value(info(s) ? info(s)->creation_date.value_or(0) : 0); });
        plain("file-count", [info](auto& s) {
            return json::value(info(s) ? rpc_file_indexes(*info(s)).size() : std::size_t{0});
        });
        plain("sequentialDownload", [](auto& s) { return json::value(s.sequential); });
        // In kB/s, rounded down but never to 0 (rpc_kilobytes); the limit keeps its bytes.
        plain("uploadLimit", [](auto& s) { return json::value(rpc_kilobytes(s.upload_limit)); });
        plain("uploadLimited", [](auto& s) { return json::value(s.upload_limit > 0); });
        plain("downloadLimit", [](auto& s) { return json::value(rpc_kilobytes(s.download_limit)); });
        plain("downloadLimited", [](auto& s) { return json::value(s.download_limit > 0); });
        plain("honorsSessionLimits", [](auto&) { return json::value(true); });
        plain("bandwidthPriority", [](auto&) { return json::value(0); });
        plain("labels", [](auto& s) {
            json::array labels;
            for (const auto& label : s.labels) labels.emplace_back(json::string(label));
            return json::value(std::move(labels));
        });
        // The torrent's own seed limits, and whether it follows them, the session's, or none.
        plain("seedRatioMode", [](auto& s) { return json::value(static_cast<int>(s.seed_limits.ratio_mode)); });
        plain("seedRatioLimit", [](auto& s) { return json::value(s.seed_limits.ratio); });
        plain("seedIdleMode", [](auto& s) { return json::value(static_cast<int>(s.seed_limits.idle_mode)); });
        plain("seedIdleLimit", [](auto& s) { return json::value(s.seed_limits.idle_minutes); });
        detailed("webseeds", [](const TorrentView& v) { return web_seeds(v); });
        plain("webseedsSendingToUs", [](auto& s) { return json::value(s.stats.web_seeds); });
        plain("recheckProgress", [](auto& s) {
            return json::value(s.stats.state == TorrentState::checking ? percent_complete(s) : 0.0);
        });
        detailed("files", files);
        detailed("fileStats", file_stats);
        detailed("priorities", [](const TorrentView& v) {
            return per_file(v, [](int p) { return json::value(transmission_priority(p)); });
        });
        detailed("wanted", [](const TorrentView& v) {
            return per_file(v, [](int p) { return json::value(p > 0 ? 1 : 0); });
        });
        detailed("peers", peers);
        detailed("pieces", pieces_had);
        detailed("peersSendingToUs", [](const TorrentView& v) {
            const auto list = peers(v);
            return json::value(std::count_if(list.as_array().begin(), list.as_array().end(), [](auto& p) {
                return p.as_object().at("isDownloadingFrom").as_bool();
            }));
        });
        detailed("peersGettingFromUs", [](const TorrentView& v) {
            const auto list = peers(v);
            return json::value(std::count_if(list.as_array().begin(), list.as_array().end(), [](auto& p) {
                return p.as_object().at("isUploadingTo").as_bool();
            }));
        });
        detailed("trackers", trackers);
        detailed("trackerList", tracker_list);
        detailed("trackerStats", tracker_stats);
        return t;
    }();
    return table;
}

}  // namespace

bool is_torrent_field(std::string_view name) { return field_table().contains(name); }

bool needs_details(std::string_view name) {
    auto it = field_table().find(name);
    return it != field_table().end() && it->second.needs_details;
}

std::optional<json::value> torrent_field(const TorrentView& torrent, std::string_view name) {
    auto it = field_table().find(name);
    if (it == field_table().end()) return std::nullopt;
    return it->second.get(torrent);
}

std::vector<std::size_t> rpc_file_indexes(const TorrentInfo& info) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < info.files.size(); ++i) {
        if (!info.files[i].pad) out.push_back(i);
    }
    return out;
}

int transmission_priority(int shoal_priority) {
    if (shoal_priority >= 6) return 1;
    if (shoal_priority >= 1 && shoal_priority <= 2) return -1;
    return 0;
}

int shoal_priority(int transmission_priority) {
    if (transmission_priority > 0) return 7;
    if (transmission_priority < 0) return 1;
    return 4;
}

Result<Done> apply_file_choices(const json::object& args, const TorrentInfo& info, std::vector<int>& priorities) {
    const auto files = rpc_file_indexes(info);
    priorities.resize(info.files.size(), 4);
    auto each = [&](std::string_view key, const std::function<void(int&)>& change) -> Result<Done> {
        const json::value* list = args.if_contains(key);
        if (!list) return Done{};
        if (!list->is_array()) return make_error("'" + std::string(key) + "' is not a list of file indexes");
        if (list->get_array().empty()) {
            for (auto i : files) change(priorities[i]);
            return Done{};
        }
        for (const auto& v : list->get_array()) {
            auto n = as_integer(v);
            if (!n || *n < 0 || static_cast<std::uint64_t>(*n) >= files.size()) {
                return make_error("'" + std::string(key) + "' names a file the torrent does not have");
            }
            change(priorities[files[static_cast<std::size_t>(*n)]]);
        }
        return Done{};
    };
    for (auto done : {each("files-wanted", [](int& p) { p = p > 0 ? p : 4; }),
                      each("files-unwanted", [](int& p) { p = 0; })}) {
        if (!done) return done;
    }
    for (int level : {1, 0, -1}) {
        const char* key = level > 0 ? "priority-high" : level < 0 ? "priority-low" : "priority-normal";
        if (auto done = each(key, [level](int& p) { p = p > 0 ? shoal_priority(level) : 0; }); !done) return done;
    }
    return Done{};
}

}  // namespace shoal::daemon
