#include "engine/session_engine.hpp"

#include <QDir>
#include <QStandardPaths>

#include <chrono>

#include "metainfo/torrent_info.hpp"
#include "util/endpoint.hpp"

// Qt's `emit` keyword is a macro, and the engine has a method of that name.
#undef emit
#include "control/controller.hpp"

namespace shoal::gui {
namespace {

TorrentStatus status_of(TorrentState state) {
    switch (state) {
        case TorrentState::fetching_metadata:
            return TorrentStatus::metadata;
        case TorrentState::checking:
            return TorrentStatus::checking;
        case TorrentState::downloading:
            return TorrentStatus::downloading;
        case TorrentState::seeding:
            return TorrentStatus::seeding;
        case TorrentState::paused:
            return TorrentStatus::paused;
        case TorrentState::error:
            return TorrentStatus::error;
    }
    return TorrentStatus::error;
}

TorrentKey key_of(TorrentId id) { return TorrentKey{id.value}; }
TorrentId id_of(TorrentKey key) { return TorrentId{key.value}; }

QString message_of(const Error& error) {
    return QString::fromStdString(error.message);
}

// The row's figures from the control layer's summary of the torrent.
void fill(TorrentSnapshot& s, const control::TorrentSummary& t) {
    const TorrentStats& st = t.stats;
    if (!t.name.empty())
        s.name = QString::fromStdString(t.name);
    s.info = t.info;
    s.total_size = t.info ? t.info->total_size : 0;
    // Held for the queue while it checks: shown checking.
    const bool queued = t.queued != control::TorrentSummary::Queued::no && st.state != TorrentState::checking;
    s.status = queued ? TorrentStatus::queued : status_of(st.state);
    s.wanted = st.total_wanted;
    s.wanted_done = st.total_wanted_done;
    s.pieces_have = st.pieces_have;
    s.num_pieces = t.info ? t.info->num_pieces : st.num_pieces;
    s.downloaded = st.downloaded;
    s.uploaded = st.uploaded;
    s.all_time_downloaded = st.all_time_downloaded;
    s.all_time_uploaded = st.all_time_uploaded;
    s.down_rate = st.download_rate;
    s.up_rate = st.upload_rate;
    s.peers = st.peers;
    s.seeds = st.seeds;
    s.up_limit = t.upload_limit;
    s.down_limit = t.download_limit;
    s.finished = t.finished;
    if (t.completed_on > 0 && !s.completed_on.isValid())
        s.completed_on = QDateTime::fromSecsSinceEpoch(t.completed_on);
    s.error = QString::fromStdString(t.error);
    s.magnet = QString::fromStdString(control::magnet_link(t));
    s.save_dir = QString::fromStdString(t.save_dir);
    s.sequential = t.sequential;
}

NetworkInfo network_of(const NetworkState& n) {
    NetworkInfo out;
    out.listening_on = QString::fromStdString(n.listening_on);
    out.interface = QString::fromStdString(n.interface);
    out.interface_up = n.interface_up;
    out.interface_problem = QString::fromStdString(n.interface_problem);
    for (const auto& m : n.port_mapping) {
        out.port_mapping.push_back({QString::fromStdString(m.protocol), QString::fromStdString(m.state),
                                    QString::fromStdString(m.external_address), m.external_port,
                                    QString::fromStdString(m.error)});
    }
    out.external_address = QString::fromStdString(n.external_address);
    out.announce_port = n.announce_port;
    return out;
}

}  // namespace

namespace {

control::SeedLimits seed_limits_of(const EngineSettings& settings) {
    control::SeedLimits limits;
    limits.ratio = settings.seed_ratio_limit;
    limits.time = std::chrono::minutes(settings.seed_time_limit_minutes);
    return limits;
}

std::unique_ptr<control::TorrentControl> start_controller(const EngineSettings& settings,
                                                          const std::string& listen_host,
                                                          const QString& state_dir,
                                                          const QString& legacy_store) {
    control::ControllerSettings c;
    SessionSettings& s = c.session;
    s.listen_host = listen_host;
    s.listen_port = static_cast<std::uint16_t>(settings.listen_port);
    s.max_peers_per_torrent = settings.max_peers_per_torrent;
    s.max_connections = settings.max_connections;
    s.enable_dht = settings.dht;
    s.enable_pex = settings.pex;
    s.enable_lsd = settings.lsd;
    s.enable_utp = settings.utp;
    s.enable_tcp = settings.tcp || !settings.utp;  // both off (a hand-edited file): TCP, as before uTP
    s.enable_port_mapping = settings.port_mapping;
    // Throws std::runtime_error naming the device when it does not exist: never another route.
    s.network_interface = settings.network_interface.toStdString();
    // An unknown stored value (a newer or hand-edited file) keeps the default.
    s.encryption = parse_encryption_policy(settings.encryption.toStdString()).value_or(EncryptionPolicy::prefer);
    // Resume data, the DHT's routing table and the torrent list.
    s.state_dir = (state_dir.isEmpty()
                       ? QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
                             QStringLiteral("/engine")
                       : state_dir)
                      .toStdString();
    // Where the client kept its list before the control layer did.
    c.legacy_desktop_store =
        (legacy_store.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
                                : legacy_store)
            .toStdString();
    s.upload_limit = settings.use_alt_limits ? settings.alt_up_limit : settings.up_limit;
    s.download_limit = settings.use_alt_limits ? settings.alt_down_limit : settings.down_limit;
    c.seed_limits = seed_limits_of(settings);
    return std::make_unique<control::Controller>(std::move(c));
}

}  // namespace

SessionEngine::SessionEngine(const EngineSettings& settings, const std::string& listen_host,
                             QObject* parent, const QString& state_dir, const QString& legacy_store)
    : SessionEngine(start_controller(settings, listen_host, state_dir, legacy_store), settings, parent) {
    // The state at start; NetworkStatus events bring each change.
    set_network(network_of(control_->network_state()));
    start_refresh_timer(1000);
    connect(&details_timer_, &QTimer::timeout, this, &SessionEngine::request_details);
    details_timer_.start(1000);
}

SessionEngine::SessionEngine(std::unique_ptr<control::TorrentControl> control,
                             const EngineSettings& settings, QObject* parent)
    : Engine(parent), settings_(settings), control_(std::move(control)) {
    // Runs on the network thread: only queue the drain onto this object's (GUI) thread.
    control_->set_wakeup(
        [this] { QMetaObject::invokeMethod(this, &SessionEngine::drain, Qt::QueuedConnection); });
}

void SessionEngine::request_details() {
    for (TorrentKey key : watched_) {
        if (tracked_.count(key))
            (void)control_->request_details(id_of(key));
    }
    watched_.clear();
}

std::uint16_t SessionEngine::listen_port() const {
    return control_->listen_port();
}

SessionEngine::~SessionEngine() {
    control_->stop();
}

bool SessionEngine::supports(Feature feature) const {
    // What the engine cannot do yet, the GUI greys out.
    switch (feature) {
        case Feature::magnet_links:
        case Feature::dht:
        case Feature::pex:
        case Feature::lsd:
        case Feature::reannounce:
        case Feature::peer_details:
        case Feature::alternative_limits:
        case Feature::runtime_settings:
        case Feature::edit_trackers:
        case Feature::edit_web_seeds:
        case Feature::rename_files:
        case Feature::metadata_preview:
        case Feature::local_files:
        case Feature::local_settings:
            return true;
        // The desktop client runs every torrent it is given.
        case Feature::queue:
            return false;
    }
    return false;
}

AddResult SessionEngine::add(const AddRequest& request) {
    control::AddTorrent r;
    r.info = request.info;
    r.metainfo = request.torrent_bytes.toStdString();
    if (!request.info)
        r.magnet = request.magnet.toStdString();
    r.save_dir = QDir(request.save_dir).absolutePath().toStdString();
    r.paused = request.paused;
    r.sequential = request.sequential;
    r.skip_check = request.skip_check;
    r.file_priorities = request.file_priorities;
    if (request.added_on.isValid())
        r.added_on = request.added_on.toSecsSinceEpoch();
    for (const QString& peer : request.peers) {
        auto endpoint = parse_ip_endpoint(peer.toStdString());
        if (!endpoint)
            return {{}, tr("'%1' is not an address and port").arg(peer)};
        r.peers.push_back(*endpoint);
    }
    for (const auto& [file, name] : request.file_names) {
        if (file >= 0)
            r.file_names[static_cast<std::size_t>(file)] = name.toStdString();
    }
    if (request.trackers) {
        control::Tiers tiers;
        for (const QStringList& urls : *request.trackers) {
            tiers.emplace_back();
            for (const QString& url : urls)
                tiers.back().push_back(url.toStdString());
        }
        r.trackers = std::move(tiers);
    }
    auto added = control_->add(std::move(r));
    if (!added)
        return {{}, message_of(added.error())};
    append(*control_->find(*added));
    return {key_of(*added), {}};
}

QStringList SessionEngine::restore() {
    QStringList problems;
    for (const auto& problem : control_->restore())
        problems << message_of(problem);
    for (const auto& summary : control_->summaries()) {
        if (!find(key_of(summary.id)))
            append(summary);
    }
    return problems;
}

void SessionEngine::append(const control::TorrentSummary& summary) {
    const TorrentKey key = key_of(summary.id);
    Tracked& t = tracked_[key];
    if (summary.info)
        t.pieces.assign(static_cast<std::size_t>(summary.info->num_pieces), 0);
    t.trackers = not_yet_contacted(key);
    TorrentSnapshot s;
    s.key = key;
    fill(s, summary);
    if (!summary.info && s.name.isEmpty())
        s.name = s.magnet.left(60);
    s.added_on = QDateTime::fromSecsSinceEpoch(summary.added_on);
    append_row(std::move(s));
}

void SessionEngine::fetch_metadata(const QString& magnet) {
    auto id = control_->fetch_metadata(magnet.toStdString());
    if (id)
        previews_[id->value] = magnet;
}

void SessionEngine::cancel_metadata(const QString& magnet) {
    for (auto it = previews_.begin(); it != previews_.end(); ++it) {
        if (it->second != magnet)
            continue;
        control_->cancel_metadata(TorrentId{it->first});
        previews_.erase(it);
        return;
    }
}

void SessionEngine::pause(TorrentKey key) {
    (void)control_->pause(id_of(key));
}

void SessionEngine::resume(TorrentKey key) {
    (void)control_->resume(id_of(key));
}

void SessionEngine::remove(TorrentKey key, bool with_data) {
    if (!control_->remove(id_of(key), with_data))
        return;
    tracked_.erase(key);
    erase_row(key);
}

void SessionEngine::recheck(TorrentKey key) {
    if (!control_->recheck(id_of(key)))
        return;
    auto it = tracked_.find(key);
    if (it != tracked_.end())
        std::fill(it->second.pieces.begin(), it->second.pieces.end(), 0);
}

void SessionEngine::reannounce(TorrentKey key) {
    (void)control_->reannounce(id_of(key));
}

void SessionEngine::set_file_priority(TorrentKey key, int file, int priority) {
    if (file >= 0)
        (void)control_->set_file_priority(id_of(key), static_cast<std::size_t>(file), priority);
}

std::vector<int> SessionEngine::file_priorities(TorrentKey key) const {
    return control_->file_priorities(id_of(key));
}

QString SessionEngine::rename_file(TorrentKey key, int file, const QString& name) {
    if (file < 0)
        return tr("This torrent's files are not known yet");
    auto renamed = control_->rename_file(id_of(key), static_cast<std::size_t>(file), name.toStdString());
    return renamed ? QString() : message_of(renamed.error());
}

void SessionEngine::set_torrent_limits(TorrentKey key, std::int64_t up, std::int64_t down) {
    if (!control_->set_torrent_limits(id_of(key), up, down))
        return;
    if (auto* s = mutable_find(key)) {
        s->up_limit = up;
        s->down_limit = down;
        mark_changed(key);
    }
}

std::vector<TrackerSnapshot> SessionEngine::trackers(TorrentKey key) const {
    watched_.insert(key);
    auto it = tracked_.find(key);
    return it == tracked_.end() ? std::vector<TrackerSnapshot>{} : it->second.trackers;
}

std::vector<TrackerSnapshot> SessionEngine::not_yet_contacted(TorrentKey key) const {
    std::vector<TrackerSnapshot> out;
    const auto tiers = control_->trackers(id_of(key));
    for (std::size_t t = 0; t < tiers.size(); ++t) {
        for (const auto& url : tiers[t]) {
            out.push_back({QString::fromStdString(url), static_cast<int>(t), tr("Not contacted yet"), {}, -1, {}});
        }
    }
    return out;
}

template <class Result>
QString SessionEngine::tracker_changed(TorrentKey key, const Result& result) {
    if (!result)
        return message_of(result.error());
    // Shown at once; the session's own view replaces it with the next details.
    tracked_[key].trackers = not_yet_contacted(key);
    Q_EMIT trackers_edited(key);
    return {};
}

QString SessionEngine::set_location(TorrentKey key, const QString& folder, bool move) {
    auto done = control_->move_storage(id_of(key), folder.toStdString(), move);
    return done ? QString() : message_of(done.error());
}

void SessionEngine::move_in_queue(const std::vector<TorrentKey>& keys, control::QueueMove to) {
    std::vector<TorrentId> ids;
    for (TorrentKey k : keys) ids.push_back(id_of(k));
    (void)control_->move_in_queue(ids, to);
}

QString SessionEngine::add_web_seed(TorrentKey key, const QString& url) {
    auto added = control_->add_web_seed(id_of(key), url.toStdString());
    return added ? QString() : message_of(added.error());
}

QString SessionEngine::remove_web_seed(TorrentKey key, const QString& url) {
    auto removed = control_->remove_web_seed(id_of(key), url.toStdString());
    if (!removed) return message_of(removed.error());
    // Its row goes now, not with the next details.
    tracked_[key].peers.erase(url.toStdString());
    return {};
}

QString SessionEngine::add_tracker(TorrentKey key, const QString& url, int tier) {
    return tracker_changed(key, control_->add_tracker(id_of(key), url.toStdString(), tier));
}

QString SessionEngine::edit_tracker(TorrentKey key, const QString& url, const QString& new_url) {
    return tracker_changed(key, control_->replace_tracker(id_of(key), url.toStdString(), new_url.toStdString()));
}

QString SessionEngine::remove_tracker(TorrentKey key, const QString& url) {
    return tracker_changed(key, control_->remove_tracker(id_of(key), url.toStdString()));
}

std::vector<PeerSnapshot> SessionEngine::peers(TorrentKey key) const {
    watched_.insert(key);
    std::vector<PeerSnapshot> out;
    auto it = tracked_.find(key);
    if (it == tracked_.end())
        return out;
    for (const auto& [address, peer] : it->second.peers)
        out.push_back(peer);
    return out;
}

std::vector<std::uint8_t> SessionEngine::pieces(TorrentKey key, bool* exact) const {
    watched_.insert(key);
    auto it = tracked_.find(key);
    const TorrentSnapshot* s = find(key);
    if (it == tracked_.end() || !s) {
        if (exact)
            *exact = false;
        return {};
    }
    const auto& pieces = it->second.pieces;
    const auto known = std::count(pieces.begin(), pieces.end(), std::uint8_t{1});
    // After a start-up check of partial data the engine says how many pieces, not which.
    if (exact)
        *exact = known == s->pieces_have;
    return pieces;
}

QString SessionEngine::apply_settings(const EngineSettings& settings) {
    const EngineSettings old = settings_;
    settings_ = settings;
    // Limits change at once; what the session sets up when it starts waits for a restart.
    (void)control_->set_rate_limits(settings.use_alt_limits ? settings.alt_up_limit : settings.up_limit,
                                    settings.use_alt_limits ? settings.alt_down_limit : settings.down_limit);
    (void)control_->set_max_peers_per_torrent(settings.max_peers_per_torrent);
    (void)control_->set_max_connections(settings.max_connections);
    control_->set_seed_limits(seed_limits_of(settings));
    const bool needs_restart = old.listen_port != settings.listen_port || old.dht != settings.dht ||
                               old.pex != settings.pex || old.lsd != settings.lsd || old.utp != settings.utp ||
                               old.tcp != settings.tcp || old.encryption != settings.encryption ||
                               old.port_mapping != settings.port_mapping ||
                               old.network_interface != settings.network_interface;
    return needs_restart ? tr("The port, network interface, port forwarding, encryption, peer connections and the "
                              "DHT, PEX and local discovery switches take effect when Shoal restarts.")
                         : QString();
}

SessionTotals SessionEngine::totals() const {
    SessionTotals t;
    for (const auto& s : torrents()) {
        t.down_rate += s.down_rate;
        t.up_rate += s.up_rate;
    }
    t.dht_nodes = settings_.dht ? static_cast<int>(control_->dht_nodes()) : -1;
    return t;
}

void SessionEngine::drain() {
    control::Published published = control_->poll();
    for (const Event& e : published.events) {
        if (auto* network = std::get_if<event::NetworkStatus>(&e)) {
            set_network(network_of(*network->state));
            continue;
        }
        const TorrentId id = std::visit([](const auto& v) { return v.id; }, e);
        if (auto preview = previews_.find(id.value); preview != previews_.end()) {
            if (auto* m = std::get_if<event::MetadataReceived>(&e)) {
                const QString magnet = preview->second;
                previews_.erase(preview);
                Q_EMIT metadata_fetched(magnet, m->info);
            }
            continue;
        }
        auto it = tracked_.find(key_of(id));
        if (it == tracked_.end())
            continue;  // removed already
        apply(it->first, it->second, e);
    }
    for (const auto& problem : published.problems) {
        qWarning("shoal: %s", problem.message.c_str());
        Q_EMIT this->problem(QString::fromStdString(problem.message));
    }
}

void SessionEngine::apply_details(Tracked& t, const event::Details& d) {
    t.peers.clear();
    for (const auto& p : d.peers) {
        PeerSnapshot s;
        s.address = QString::fromStdString(p.address);
        s.client = QString::fromStdString(p.client);
        s.flags = QString::fromStdString(p.flags);
        s.progress = p.progress;
        s.down_rate = p.download_rate;
        s.up_rate = p.upload_rate;
        t.peers[p.address] = s;
    }
    // Web seeds are sources too: a row each, by URL.
    for (const auto& w : d.web_seeds) {
        PeerSnapshot s;
        s.address = QString::fromStdString(w.url);
        s.client = tr("Web seed: %1").arg(QString::fromStdString(w.state));
        if (!w.error.empty()) s.client += QStringLiteral(" (%1)").arg(QString::fromStdString(w.error));
        s.progress = w.state == "missing files" ? 0 : 1;
        s.down_rate = w.download_rate;
        t.peers[w.url] = s;
    }
    t.trackers.clear();
    const QDateTime now = QDateTime::currentDateTime();
    for (const auto& tracker : d.trackers) {
        TrackerSnapshot s;
        s.url = QString::fromStdString(tracker.url);
        s.tier = tracker.tier;
        switch (tracker.status) {
            case TrackerInfo::Status::not_contacted:
                s.status = tr("Not contacted yet");
                break;
            case TrackerInfo::Status::working:
                s.status = tr("Working");
                break;
            case TrackerInfo::Status::failed:
                s.status = tr("Failed");
                break;
        }
        s.message = QString::fromStdString(tracker.message);
        s.peers = tracker.peers;
        if (tracker.next_announce_seconds >= 0)
            s.next_announce = now.addSecs(tracker.next_announce_seconds);
        t.trackers.push_back(s);
    }
    for (std::size_t i = 0; i < t.pieces.size(); ++i) {
        const auto byte = i / 8;
        t.pieces[i] = byte < d.have.size() && (static_cast<unsigned char>(d.have[byte]) >> (7 - i % 8)) & 1;
    }
}

void SessionEngine::apply(TorrentKey key, Tracked& t, const Event& e) {
    TorrentSnapshot* s = mutable_find(key);
    const control::TorrentSummary* summary = control_->find(id_of(key));
    if (!s || !summary)
        return;
    mark_changed(key);
    // The control layer has taken the whole batch in: the row shows where it ended.
    fill(*s, *summary);
    if (s->status == TorrentStatus::seeding)
        s->pieces_have = s->num_pieces;
    if (auto* state = std::get_if<event::StateChanged>(&e)) {
        if (state->state == TorrentState::seeding)
            std::fill(t.pieces.begin(), t.pieces.end(), 1);
    } else if (auto* piece = std::get_if<event::PieceFinished>(&e)) {
        if (piece->piece >= 0 && static_cast<std::size_t>(piece->piece) < t.pieces.size()) {
            t.pieces[static_cast<std::size_t>(piece->piece)] = 1;
        }
    } else if (auto* details = std::get_if<event::Details>(&e)) {
        apply_details(t, *details);
    } else if (auto* peer = std::get_if<event::PeerConnected>(&e)) {
        PeerSnapshot p;
        p.address = QString::fromStdString(peer->address);
        p.client = QString::fromStdString(peer->client);
        t.peers[peer->address] = p;
    } else if (auto* gone = std::get_if<event::PeerDisconnected>(&e)) {
        t.peers.erase(gone->address);
    } else if (auto* reply = std::get_if<event::TrackerReply>(&e)) {
        const QString url = QString::fromStdString(reply->url);
        auto it = std::find_if(t.trackers.begin(), t.trackers.end(),
                               [&](const TrackerSnapshot& tr) { return tr.url == url; });
        if (it == t.trackers.end()) {
            t.trackers.push_back({url, 0, {}, {}, -1, {}});
            it = t.trackers.end() - 1;
        }
        it->status = reply->ok ? tr("Working") : tr("Failed");
        it->message = QString::fromStdString(reply->message);
        it->peers = reply->ok ? reply->peers : -1;
    } else if (auto* m = std::get_if<event::MetadataReceived>(&e)) {
        t.pieces.assign(static_cast<std::size_t>(m->info->num_pieces), 0);
        t.trackers = not_yet_contacted(key);
    } else if (auto* r = std::get_if<event::FileRenamed>(&e)) {
        Q_EMIT file_renamed(key, static_cast<int>(r->file), QString::fromStdString(r->name));
    } else if (auto* finished = std::get_if<event::TorrentFinished>(&e)) {
        if (finished->downloaded)
            Q_EMIT torrent_finished(key);
    } else if (auto* error = std::get_if<event::Error>(&e)) {
        Q_EMIT torrent_error(key, QString::fromStdString(error->message));
    }
    // HashFailed, ConnectFailed and PeerBanned change nothing the GUI shows yet.
}

}  // namespace shoal::gui
