// The remote engine's reading of the daemon's answers: torrent-get's list and detail fields,
// and session-get's settings.
#include <QJsonArray>
#include <QJsonObject>
#include <algorithm>

#include "engine/remote_engine.hpp"
#include "engine/remote_rpc_values.hpp"
#include "metainfo/torrent_info.hpp"

namespace shoal::gui {

using namespace rpc_values;

namespace {

int transmission_to_priority(int rpc_priority, bool wanted) {
    if (!wanted)
        return k_priority_skip;
    return rpc_priority > 0 ? k_priority_high : rpc_priority < 0 ? k_priority_low : k_priority_normal;
}

QString encryption_from_rpc(const QString& value) {
    if (value == QLatin1String("required"))
        return QStringLiteral("require");
    if (value == QLatin1String("tolerated"))
        return QStringLiteral("disable");
    return QStringLiteral("prefer");
}

// The info-hashes as the daemon names them. shoald names each version (shoalInfoHashV1 and
// V2: hex, "" for none); Transmission names one (hashString: 40 digits, or 64 for shoald's
// v2-only torrents), and whether the torrent has the other is not known. True when both are
// known.
bool take_hashes(const QJsonObject& t, TorrentInfo& info) {
    const QJsonValue v1 = t.value("shoalInfoHashV1");
    const QJsonValue v2 = t.value("shoalInfoHashV2");
    if (v1.isString() && v2.isString()) {
        const std::string v1_hex = v1.toString().toStdString();
        const std::string v2_hex = v2.toString().toStdString();
        info.info_hash_v1 = InfoHashV1::from_hex(v1_hex);
        info.info_hash_v2 = InfoHashV2::from_hex(v2_hex);
        // Either given as a hash or as none, and at least one of them a hash.
        const bool v1_said = v1_hex.empty() || info.info_hash_v1;
        const bool v2_said = v2_hex.empty() || info.info_hash_v2;
        if (v1_said && v2_said && (info.info_hash_v1 || info.info_hash_v2))
            return true;
        info.info_hash_v1.reset();
        info.info_hash_v2.reset();
    }
    const std::string hash = t.value("hashString").toString().toStdString();
    if (hash.size() == 40)
        info.info_hash_v1 = InfoHashV1::from_hex(hash);
    else if (hash.size() == 64)
        info.info_hash_v2 = InfoHashV2::from_hex(hash);
    return false;
}

// The torrent as the daemon describes it: no piece hashes and no info dictionary, only what
// the views show (files and sizes, pieces, names and comment). `hashes_known`: whether both
// info-hashes were said.
std::shared_ptr<const TorrentInfo> describe(const QJsonObject& t, const QJsonArray& files, bool& hashes_known) {
    auto info = std::make_shared<TorrentInfo>();
    info->name = t.value("name").toString().toStdString();
    info->piece_length = as_int(t, "pieceSize");
    info->num_pieces = as_int(t, "pieceCount");
    info->comment = t.value("comment").toString().toStdString();
    info->created_by = t.value("creator").toString().toStdString();
    if (const std::int64_t created = as_int(t, "dateCreated"); created > 0)
        info->creation_date = created;
    info->is_private = t.value("isPrivate").toBool();
    hashes_known = take_hashes(t, *info);
    std::int64_t offset = 0;
    for (const QJsonValue& f : files) {
        const QJsonObject file = f.toObject();
        FileEntry entry;
        for (const QString& part : file.value("name").toString().split('/', Qt::SkipEmptyParts))
            entry.path.push_back(part.toStdString());
        if (entry.path.empty())
            entry.path.push_back("?");
        entry.size = std::max<std::int64_t>(0, as_int(file, "length"));
        entry.offset = offset;
        offset += entry.size;
        info->files.push_back(std::move(entry));
    }
    info->multi_file = info->files.size() > 1;
    info->total_size = std::max(offset, as_int(t, "totalSize"));
    return info;
}

}  // namespace

void RemoteEngine::take_torrents(const QJsonObject& arguments, bool full_list) {
    const QJsonArray list = arguments.value("torrents").toArray();
    std::set<std::int64_t> present;
    for (const QJsonValue& v : list) {
        const QJsonObject t = v.toObject();
        if (!t.value("id").isDouble())
            continue;
        present.insert(as_int(t, "id"));
        take_torrent(t);
    }
    std::vector<std::int64_t> gone;
    if (full_list) {
        have_full_list_ = true;
        for (const auto& [id, key] : keys_) {
            if (!present.contains(id))
                gone.push_back(id);
        }
    }
    for (const QJsonValue& v : arguments.value("removed").toArray()) {
        if (v.isDouble() && !present.contains(static_cast<std::int64_t>(v.toDouble())))
            gone.push_back(static_cast<std::int64_t>(v.toDouble()));
    }
    for (std::int64_t id : gone) {
        const auto it = keys_.find(id);
        if (it == keys_.end())
            continue;
        const TorrentKey key = it->second;
        keys_.erase(it);
        remote_.erase(key);
        need_files_.erase(id);
        erase_row(key);
    }
}

void RemoteEngine::take_torrent(const QJsonObject& t) {
    const std::int64_t id = as_int(t, "id");
    auto found = keys_.find(id);
    TorrentSnapshot fresh;
    TorrentSnapshot* s = nullptr;
    if (found == keys_.end()) {
        fresh.key = TorrentKey{next_key_++};
        fresh.added_on = QDateTime::fromSecsSinceEpoch(as_int(t, "addedDate"));
        keys_[id] = fresh.key;
        remote_[fresh.key].id = id;
        s = &fresh;
    } else {
        s = mutable_find(found->second);
        if (!s)
            return;
    }
    Remote& r = remote_[s->key];
    s->name = t.value("name").toString();
    s->wanted = as_int(t, "sizeWhenDone");
    s->wanted_done = std::min(s->wanted, as_int(t, "haveValid"));
    s->total_size = as_int(t, "totalSize");
    s->num_pieces = as_int(t, "pieceCount");
    s->pieces_have = static_cast<std::int64_t>(
        std::llround(std::clamp(t.value("percentComplete").toDouble(), 0.0, 1.0) *
                     static_cast<double>(s->num_pieces)));
    const bool has_metadata = t.value("metadataPercentComplete").toDouble(1.0) >= 1.0;
    const std::int64_t left = as_int(t, "leftUntilDone");
    const int status = static_cast<int>(as_int(t, "status"));
    s->error = t.value("errorString").toString();
    s->finished = has_metadata && left == 0 && s->wanted > 0;
    switch (status) {
        case stopped:
            s->status = as_int(t, "error") != 0 && !s->error.isEmpty() ? TorrentStatus::error
                                                                        : TorrentStatus::paused;
            break;
        case check_wait:
        case check:
            s->status = TorrentStatus::checking;
            break;
        case download_wait:
        case seed_wait:
            s->status = TorrentStatus::queued;
            break;
        case download:
            s->status = has_metadata ? TorrentStatus::downloading : TorrentStatus::metadata;
            break;
        default:
            s->status = TorrentStatus::seeding;
            break;
    }
    s->peers = static_cast<int>(as_int(t, "peersConnected"));
    s->down_rate = static_cast<double>(as_int(t, "rateDownload"));
    s->up_rate = static_cast<double>(as_int(t, "rateUpload"));
    s->all_time_downloaded = as_int(t, "downloadedEver");
    s->all_time_uploaded = as_int(t, "uploadedEver");
    s->up_limit = t.value("uploadLimited").toBool() ? as_int(t, "uploadLimit") * k_speed_unit : 0;
    s->down_limit = t.value("downloadLimited").toBool() ? as_int(t, "downloadLimit") * k_speed_unit : 0;
    const std::int64_t done_date = as_int(t, "doneDate");
    s->completed_on = done_date > 0 ? QDateTime::fromSecsSinceEpoch(done_date) : QDateTime();
    s->save_dir = t.value("downloadDir").toString();
    s->magnet = t.value("magnetLink").toString();
    s->sequential = t.value("sequentialDownload").toBool();
    if (!r.has_files && has_metadata)
        need_files_.insert(id);
    const bool downloading = s->status == TorrentStatus::downloading && !s->finished;
    const bool just_finished = r.was_downloading && s->finished;
    r.was_downloading = downloading || (r.was_downloading && !s->finished);
    if (s == &fresh) {
        append_row(std::move(fresh));
        return;
    }
    mark_changed(s->key);
    if (just_finished)
        emit torrent_finished(s->key);
}

void RemoteEngine::take_details(const QJsonObject& t) {
    const auto found = keys_.find(as_int(t, "id"));
    if (found == keys_.end())
        return;
    const TorrentKey key = found->second;
    Remote& r = remote_[key];
    if (t.contains("files")) {
        const QJsonArray files = t.value("files").toArray();
        if (!files.isEmpty()) {
            if (TorrentSnapshot* s = mutable_find(key)) {
                s->info = describe(t, files, s->info_hashes_known);
                mark_changed(key);
            }
            r.file_paths.clear();
            for (const QJsonValue& f : files)
                r.file_paths.push_back(f.toObject().value("name").toString());
            r.has_files = true;
            need_files_.erase(r.id);
        }
    }
    // `pieces`: a base64 bitfield, the first piece in the high bit.
    if (const QByteArray bits = QByteArray::fromBase64(t.value("pieces").toString().toLatin1()); !bits.isEmpty()) {
        const TorrentSnapshot* s = find(key);
        const auto count = static_cast<std::size_t>(s ? s->num_pieces : 0);
        if (count > 0 && static_cast<std::size_t>(bits.size()) == (count + 7) / 8) {
            r.pieces.assign(count, 0);
            for (std::size_t p = 0; p < count; ++p)
                r.pieces[p] = (static_cast<unsigned char>(bits[static_cast<qsizetype>(p / 8)]) >> (7 - p % 8)) & 1;
            mark_changed(key);
        }
    }
    const QJsonArray stats = t.value("fileStats").toArray();
    if (!stats.isEmpty()) {
        r.priorities.clear();
        r.done.clear();
        for (const QJsonValue& v : stats) {
            const QJsonObject f = v.toObject();
            r.priorities.push_back(transmission_to_priority(static_cast<int>(as_int(f, "priority")),
                                                            f.value("wanted").toBool(true)));
            r.done.push_back(as_int(f, "bytesCompleted"));
        }
    }
    if (t.contains("peers")) {
        r.peers.clear();
        for (const QJsonValue& v : t.value("peers").toArray()) {
            const QJsonObject p = v.toObject();
            PeerSnapshot peer;
            const QString address = p.value("address").toString();
            const int port = static_cast<int>(as_int(p, "port"));
            peer.address = address.contains(':') ? QStringLiteral("[%1]:%2").arg(address).arg(port)
                                                 : QStringLiteral("%1:%2").arg(address).arg(port);
            peer.client = p.value("clientName").toString();
            peer.flags = p.value("flagStr").toString();
            peer.progress = p.value("progress").toDouble(-1);
            peer.down_rate = static_cast<double>(as_int(p, "rateToClient"));
            peer.up_rate = static_cast<double>(as_int(p, "rateToPeer"));
            r.peers.push_back(std::move(peer));
        }
    }
    if (t.contains("trackerStats")) {
        r.trackers.clear();
        r.tracker_ids.clear();
        for (const QJsonValue& v : t.value("trackerStats").toArray()) {
            const QJsonObject k = v.toObject();
            TrackerSnapshot tracker;
            tracker.url = k.value("announce").toString();
            tracker.tier = static_cast<int>(as_int(k, "tier"));
            if (!k.value("hasAnnounced").toBool())
                tracker.status = tr("not contacted");
            else
                tracker.status = k.value("lastAnnounceSucceeded").toBool() ? tr("working") : tr("failed");
            tracker.message = k.value("lastAnnounceResult").toString();
            tracker.peers = k.value("hasAnnounced").toBool()
                                ? static_cast<int>(as_int(k, "lastAnnouncePeerCount"))
                                : -1;
            if (const std::int64_t next = as_int(k, "nextAnnounceTime"); next > 0)
                tracker.next_announce = QDateTime::fromSecsSinceEpoch(next);
            r.tracker_ids[tracker.url] = static_cast<int>(as_int(k, "id"));
            r.trackers.push_back(std::move(tracker));
        }
    }
}

void RemoteEngine::take_settings(const QJsonObject& a) {
    EngineSettings s;
    s.listen_port = static_cast<int>(as_int(a, "peer-port"));
    s.down_limit = a.value("speed-limit-down-enabled").toBool() ? as_int(a, "speed-limit-down") * k_speed_unit : 0;
    s.up_limit = a.value("speed-limit-up-enabled").toBool() ? as_int(a, "speed-limit-up") * k_speed_unit : 0;
    s.alt_down_limit = as_int(a, "alt-speed-down") * k_speed_unit;
    s.alt_up_limit = as_int(a, "alt-speed-up") * k_speed_unit;
    s.use_alt_limits = a.value("alt-speed-enabled").toBool();
    s.max_connections = static_cast<int>(as_int(a, "peer-limit-global"));
    s.max_peers_per_torrent = static_cast<int>(as_int(a, "peer-limit-per-torrent"));
    s.dht = a.value("dht-enabled").toBool();
    s.pex = a.value("pex-enabled").toBool();
    s.lsd = a.value("lpd-enabled").toBool();
    s.utp = a.value("utp-enabled").toBool(true);
    s.encryption = encryption_from_rpc(a.value("encryption").toString());
    s.default_save_dir = a.value("download-dir").toString();
    s.port_mapping = a.value("port-forwarding-enabled").toBool();
    s.seed_ratio_limit = a.value("seedRatioLimited").toBool() ? a.value("seedRatioLimit").toDouble() : 0;
    totals_.free_space = a.value("download-dir-free-space").isDouble() ? as_int(a, "download-dir-free-space") : -1;
    s.network_interface.clear();
    s.on_completion = CompletionAction::nothing;
    settings_ = s;
    have_settings_ = true;
}

}  // namespace shoal::gui
