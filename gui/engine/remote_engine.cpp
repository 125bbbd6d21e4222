#include "engine/remote_engine.hpp"

#include <QJsonArray>
#include <QJsonObject>
#include <algorithm>

#include "engine/remote_rpc_values.hpp"
#include "metainfo/torrent_info.hpp"

namespace shoal::gui {

using namespace rpc_values;

namespace {

// Torrents whose detail fields one poll asks for, at most.
constexpr std::size_t k_details_per_poll = 200;
// session-get every this many polls (settings change rarely).
constexpr int k_settings_every = 10;

const QStringList& list_fields() {
    static const QStringList fields{
        "id", "name", "hashString", "status", "error", "errorString", "totalSize", "sizeWhenDone",
        "leftUntilDone", "haveValid", "percentComplete", "rateDownload", "rateUpload",
        "uploadedEver", "downloadedEver", "peersConnected", "addedDate", "doneDate",
        "downloadDir", "magnetLink", "metadataPercentComplete", "isPrivate", "pieceCount",
        "pieceSize", "comment", "creator", "dateCreated", "sequentialDownload", "uploadLimit",
        "uploadLimited", "downloadLimit", "downloadLimited"};
    return fields;
}

QJsonArray as_json(const QStringList& list) {
    return QJsonArray::fromStringList(list);
}

QString encryption_to_rpc(const QString& value) {
    if (value == QLatin1String("require"))
        return QStringLiteral("required");
    if (value == QLatin1String("disable"))
        return QStringLiteral("tolerated");
    return QStringLiteral("preferred");
}

}  // namespace

RemoteEngine::RemoteEngine(const QUrl& url, const QString& user, const QString& password,
                           QObject* parent, int poll_interval_ms)
    : Engine(parent), client_(url) {
    client_.set_credentials(user.isEmpty() ? url.userName() : user,
                            password.isEmpty() ? url.password() : password);
    connect(&client_, &RpcClient::unauthorized, this, &RemoteEngine::credentials_needed);
    connect(&poll_timer_, &QTimer::timeout, this, &RemoteEngine::poll);
    settings_.default_save_dir.clear();
    poll_timer_.start(poll_interval_ms);
    QTimer::singleShot(0, this, &RemoteEngine::poll);
}

RemoteEngine::~RemoteEngine() {
    // No callback may run into a half-destroyed engine.
    poll_timer_.stop();
    client_.cancel_all();
}

QString RemoteEngine::daemon_name() const {
    const QUrl u = client_.url();
    return u.port() > 0 ? QStringLiteral("%1:%2").arg(u.host()).arg(u.port()) : u.host();
}

void RemoteEngine::set_credentials(const QString& user, const QString& password) {
    client_.set_credentials(user, password);
    poll();
}

bool RemoteEngine::supports(Feature feature) const {
    switch (feature) {
        case Feature::magnet_links:
        case Feature::reannounce:
        case Feature::rename_files:
        case Feature::edit_trackers:
        case Feature::peer_details:
        case Feature::alternative_limits:
        case Feature::runtime_settings:
        case Feature::dht:
        case Feature::pex:
        case Feature::lsd:
        case Feature::queue:
            return true;
        // A magnet link's files cannot be listed before the daemon has the torrent; the
        // files and the network settings are the daemon's computer's.
        case Feature::metadata_preview:
        case Feature::local_files:
        case Feature::local_settings:
        // Transmission's RPC has no way to change web seeds.
        case Feature::edit_web_seeds:
            return false;
    }
    return false;
}

void RemoteEngine::failed(const QString& message) {
    connected_ = false;
    // The daemon forgets removed ids after a minute: the whole list again once it answers.
    have_full_list_ = false;
    if (message != problem_) {
        problem_ = message;
        emit problem(message);
    }
}

void RemoteEngine::answered() {
    if (!connected_) {
        connected_ = true;
        problem_.clear();
        emit connection_restored();
    }
}

void RemoteEngine::poll() {
    ++polls_;
    poll_torrents();
    poll_details();
    if (!stats_in_flight_) {
        stats_in_flight_ = true;
        client_.call(QStringLiteral("session-stats"), {}, [this](const RpcReply& r) {
            stats_in_flight_ = false;
            if (!r.ok())
                return;  // the torrent poll reports it
            totals_.down_rate = static_cast<double>(as_int(r.arguments, "downloadSpeed"));
            totals_.up_rate = static_cast<double>(as_int(r.arguments, "uploadSpeed"));
            totals_.dht_nodes = -1;  // the RPC does not say
        });
    }
    if (!settings_in_flight_ && (!have_settings_ || polls_ % k_settings_every == 0)) {
        settings_in_flight_ = true;
        client_.call(QStringLiteral("session-get"), {}, [this](const RpcReply& r) {
            settings_in_flight_ = false;
            if (r.ok())
                take_settings(r.arguments);
        });
    }
}

void RemoteEngine::poll_torrents() {
    if (torrents_in_flight_)
        return;
    torrents_in_flight_ = true;
    QJsonObject args{{"fields", as_json(list_fields())}};
    const bool full = !have_full_list_;
    if (!full)
        args.insert("ids", QStringLiteral("recently-active"));
    client_.call(QStringLiteral("torrent-get"), args, [this, full](const RpcReply& r) {
        torrents_in_flight_ = false;
        if (!r.ok()) {
            failed(r.error);
            return;
        }
        answered();
        take_torrents(r.arguments, full);
        refresh();
    });
}

void RemoteEngine::poll_details() {
    if (details_in_flight_)
        return;
    // The torrents the views read get their details (peers, trackers, file stats), and
    // torrents still without a file list get it in the same request (the list's sizes and
    // the content tab need it whichever torrent is selected).
    std::set<std::int64_t> ids;
    for (TorrentKey key : watched_) {
        if (const Remote* r = remote_of(key))
            ids.insert(r->id);
    }
    watched_.clear();
    const bool details = !ids.empty();
    QJsonArray id_list;
    for (std::int64_t id : ids)
        id_list.push_back(static_cast<qint64>(id));
    bool files = false;
    for (std::int64_t id : need_files_) {
        if (!ids.contains(id)) {
            if (static_cast<std::size_t>(id_list.size()) >= k_details_per_poll)
                continue;
            id_list.push_back(static_cast<qint64>(id));
        }
        files = true;
    }
    if (id_list.isEmpty())
        return;
    QStringList fields = list_fields();
    if (details)
        fields << "fileStats" << "peers" << "trackerStats" << "pieces";
    // The info-hashes come with the file list: shoald's own fields, which other daemons leave out.
    if (files)
        fields << "files" << "shoalInfoHashV1" << "shoalInfoHashV2";
    details_in_flight_ = true;
    client_.call(QStringLiteral("torrent-get"), QJsonObject{{"ids", id_list}, {"fields", as_json(fields)}},
                 [this](const RpcReply& r) {
                     details_in_flight_ = false;
                     if (!r.ok())
                         return;  // the torrent poll reports it
                     for (const QJsonValue& v : r.arguments.value("torrents").toArray()) {
                         const QJsonObject t = v.toObject();
                         if (!keys_.contains(as_int(t, "id")))
                             continue;  // the list has not seen it yet
                         take_torrent(t);
                         take_details(t);
                     }
                     refresh();
                 });
}

QString RemoteEngine::apply_settings(const EngineSettings& s) {
    const auto kb = [](std::int64_t bytes) { return static_cast<qint64>(rpc_speed(bytes)); };
    QJsonObject a{
        {"peer-port", s.listen_port},
        {"speed-limit-down-enabled", s.down_limit > 0},
        {"speed-limit-up-enabled", s.up_limit > 0},
        {"alt-speed-down", kb(s.alt_down_limit)},
        {"alt-speed-up", kb(s.alt_up_limit)},
        {"alt-speed-enabled", s.use_alt_limits},
        {"peer-limit-global", s.max_connections},
        {"peer-limit-per-torrent", s.max_peers_per_torrent},
        {"dht-enabled", s.dht},
        {"pex-enabled", s.pex},
        {"lpd-enabled", s.lsd},
        {"encryption", encryption_to_rpc(s.encryption)},
        {"download-dir", s.default_save_dir},
        {"port-forwarding-enabled", s.port_mapping},
        {"seedRatioLimited", s.seed_ratio_limit > 0},
    };
    if (s.down_limit > 0)
        a.insert("speed-limit-down", kb(s.down_limit));
    if (s.up_limit > 0)
        a.insert("speed-limit-up", kb(s.up_limit));
    if (s.seed_ratio_limit > 0)
        a.insert("seedRatioLimit", s.seed_ratio_limit);
    settings_ = s;
    client_.call(QStringLiteral("session-set"), a, [this](const RpcReply& r) {
        if (!r.ok())
            emit problem(tr("The daemon did not take the settings: %1").arg(r.error));
        client_.call(QStringLiteral("session-get"), {}, [this](const RpcReply& got) {
            if (got.ok())
                take_settings(got.arguments);
        });
    });
    QString note = tr("Sent to the daemon at %1.").arg(daemon_name());
    if (s.seed_time_limit_minutes > 0)
        note += QLatin1Char(' ') + tr("The seeding time limit is not sent: the daemon keeps its own.");
    return note;
}

RemoteEngine::Remote* RemoteEngine::remote_of(TorrentKey key) {
    const auto it = remote_.find(key);
    return it == remote_.end() ? nullptr : &it->second;
}

const RemoteEngine::Remote* RemoteEngine::remote_of(TorrentKey key) const {
    const auto it = remote_.find(key);
    return it == remote_.end() ? nullptr : &it->second;
}

void RemoteEngine::torrent_call(TorrentKey key, const QString& method, QJsonObject arguments) {
    const Remote* r = remote_of(key);
    if (!r)
        return;
    arguments.insert("ids", QJsonArray{static_cast<qint64>(r->id)});
    const QString name = find(key) ? find(key)->name : QString();
    client_.call(method, arguments, [this, method, name, key](const RpcReply& reply) {
        if (!reply.ok()) {
            emit problem(tr("“%1”: %2 failed: %3").arg(name, method, reply.error));
            return;
        }
        watched_.insert(key);
        poll_torrents();
    });
}

QStringList RemoteEngine::restore() {
    return {};  // the daemon keeps its own list
}

void RemoteEngine::pause(TorrentKey key) {
    torrent_call(key, QStringLiteral("torrent-stop"));
}

void RemoteEngine::resume(TorrentKey key) {
    torrent_call(key, QStringLiteral("torrent-start"));
}

void RemoteEngine::remove(TorrentKey key, bool with_data) {
    torrent_call(key, QStringLiteral("torrent-remove"), QJsonObject{{"delete-local-data", with_data}});
}

void RemoteEngine::recheck(TorrentKey key) {
    torrent_call(key, QStringLiteral("torrent-verify"));
}

void RemoteEngine::reannounce(TorrentKey key) {
    torrent_call(key, QStringLiteral("torrent-reannounce"));
}

void RemoteEngine::set_file_priority(TorrentKey key, int file, int priority) {
    Remote* r = remote_of(key);
    if (!r || file < 0)
        return;
    const QJsonArray files{file};
    QJsonObject a;
    if (priority == k_priority_skip) {
        a.insert("files-unwanted", files);
    } else {
        a.insert("files-wanted", files);
        a.insert(priority > k_priority_normal   ? "priority-high"
                 : priority < k_priority_normal ? "priority-low"
                                                : "priority-normal",
                 files);
    }
    if (static_cast<std::size_t>(file) < r->priorities.size())
        r->priorities[static_cast<std::size_t>(file)] = priority;
    torrent_call(key, QStringLiteral("torrent-set"), a);
}

std::vector<int> RemoteEngine::file_priorities(TorrentKey key) const {
    watched_.insert(key);
    const Remote* r = remote_of(key);
    return r ? r->priorities : std::vector<int>{};
}

std::vector<std::int64_t> RemoteEngine::file_progress(TorrentKey key) const {
    watched_.insert(key);
    const Remote* r = remote_of(key);
    return r ? r->done : std::vector<std::int64_t>{};
}

QString RemoteEngine::rename_file(TorrentKey key, int file, const QString& name) {
    const Remote* r = remote_of(key);
    if (!r || file < 0 || static_cast<std::size_t>(file) >= r->file_paths.size())
        return tr("No such file.");
    if (name.isEmpty() || name.contains('/') || name == QLatin1String(".") || name == QLatin1String(".."))
        return tr("A file name cannot be empty, \".\", \"..\" or hold a \"/\".");
    const QString path = r->file_paths[static_cast<std::size_t>(file)];
    const std::int64_t id = r->id;
    client_.call(QStringLiteral("torrent-rename-path"),
                 QJsonObject{{"ids", QJsonArray{static_cast<qint64>(id)}}, {"path", path}, {"name", name}},
                 [this, key, file, name](const RpcReply& reply) {
                     if (!reply.ok()) {
                         emit problem(tr("The daemon did not rename the file: %1").arg(reply.error));
                         return;
                     }
                     if (Remote* now = remote_of(key)) {
                         now->has_files = false;  // the file list is asked for again
                         need_files_.insert(now->id);
                     }
                     emit file_renamed(key, file, name);
                 });
    return {};
}

QString RemoteEngine::set_location(TorrentKey key, const QString& folder, bool move) {
    if (!remote_of(key))
        return tr("The daemon no longer has this torrent");
    torrent_call(key, QStringLiteral("torrent-set-location"), QJsonObject{{"location", folder}, {"move", move}});
    return {};
}

void RemoteEngine::move_in_queue(const std::vector<TorrentKey>& keys, control::QueueMove to) {
    QJsonArray ids;
    for (TorrentKey k : keys) {
        if (const Remote* r = remote_of(k))
            ids.append(static_cast<qint64>(r->id));
    }
    if (ids.isEmpty())
        return;
    const char* method = to == control::QueueMove::top    ? "queue-move-top"
                         : to == control::QueueMove::up   ? "queue-move-up"
                         : to == control::QueueMove::down ? "queue-move-down"
                                                          : "queue-move-bottom";
    client_.call(QString::fromLatin1(method), QJsonObject{{"ids", ids}}, [this, method](const RpcReply& reply) {
        if (!reply.ok()) {
            emit problem(tr("%1 failed: %2").arg(QString::fromLatin1(method), reply.error));
            return;
        }
        poll_torrents();
    });
}

void RemoteEngine::set_torrent_limits(TorrentKey key, std::int64_t up, std::int64_t down) {
    QJsonObject a{{"uploadLimited", up > 0}, {"downloadLimited", down > 0}};
    if (up > 0)
        a.insert("uploadLimit", static_cast<qint64>(rpc_speed(up)));
    if (down > 0)
        a.insert("downloadLimit", static_cast<qint64>(rpc_speed(down)));
    torrent_call(key, QStringLiteral("torrent-set"), a);
}

std::vector<TrackerSnapshot> RemoteEngine::trackers(TorrentKey key) const {
    watched_.insert(key);
    const Remote* r = remote_of(key);
    return r ? r->trackers : std::vector<TrackerSnapshot>{};
}

QString RemoteEngine::add_tracker(TorrentKey key, const QString& url, int /*tier*/) {
    torrent_call(key, QStringLiteral("torrent-set"), QJsonObject{{"trackerAdd", QJsonArray{url}}});
    emit trackers_edited(key);
    return {};
}

QString RemoteEngine::edit_tracker(TorrentKey key, const QString& url, const QString& new_url) {
    const int id = tracker_id(key, url);
    if (id < 0)
        return tr("The daemon has not listed this tracker yet.");
    torrent_call(key, QStringLiteral("torrent-set"), QJsonObject{{"trackerReplace", QJsonArray{id, new_url}}});
    emit trackers_edited(key);
    return {};
}

QString RemoteEngine::remove_tracker(TorrentKey key, const QString& url) {
    const int id = tracker_id(key, url);
    if (id < 0)
        return tr("The daemon has not listed this tracker yet.");
    torrent_call(key, QStringLiteral("torrent-set"), QJsonObject{{"trackerRemove", QJsonArray{id}}});
    emit trackers_edited(key);
    return {};
}

int RemoteEngine::tracker_id(TorrentKey key, const QString& url) const {
    const Remote* r = remote_of(key);
    if (!r)
        return -1;
    const auto it = r->tracker_ids.find(url);
    return it == r->tracker_ids.end() ? -1 : it->second;
}

std::vector<PeerSnapshot> RemoteEngine::peers(TorrentKey key) const {
    watched_.insert(key);
    const Remote* r = remote_of(key);
    return r ? r->peers : std::vector<PeerSnapshot>{};
}

std::vector<std::uint8_t> RemoteEngine::pieces(TorrentKey key, bool* exact) const {
    watched_.insert(key);
    const Remote* r = remote_of(key);
    if (exact)
        *exact = r && !r->pieces.empty();
    return r ? r->pieces : std::vector<std::uint8_t>{};
}

void RemoteEngine::fetch_metadata(const QString& /*magnet*/) {}

void RemoteEngine::cancel_metadata(const QString& /*magnet*/) {}

}  // namespace shoal::gui
