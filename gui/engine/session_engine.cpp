#include "engine/session_engine.hpp"

#include <QDir>
#include <QStandardPaths>
#include <boost/asio/ip/address.hpp>

#include "discovery/tracker/tracker_url.hpp"
#include "metainfo/magnet.hpp"
#include "metainfo/rename.hpp"
#include "util/endpoint.hpp"
#include "metainfo/torrent_info.hpp"

// Qt's `emit` keyword is a macro, and the engine has a method of that name.
#undef emit
#include "session/session.hpp"

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

}  // namespace

SessionEngine::SessionEngine(const EngineSettings& settings, const std::string& listen_host,
                             QObject* parent)
    : Engine(parent), settings_(settings) {
    SessionSettings s;
    s.listen_host = listen_host;
    s.listen_port = static_cast<std::uint16_t>(settings.listen_port);
    s.max_peers_per_torrent = settings.max_peers_per_torrent;
    s.max_connections = settings.max_connections;
    s.enable_dht = settings.dht;
    s.enable_pex = settings.pex;
    s.enable_lsd = settings.lsd;
    // Resume data and the DHT's routing table live beside the saved torrent list.
    s.state_dir = (QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
                   QStringLiteral("/engine"))
                      .toStdString();
    s.upload_limit = settings.use_alt_limits ? settings.alt_up_limit : settings.up_limit;
    s.download_limit = settings.use_alt_limits ? settings.alt_down_limit : settings.down_limit;
    session_ = std::make_unique<Session>(s);
    // Runs on the network thread: only queue the drain onto this object's (GUI) thread.
    session_->set_wakeup(
        [this] { QMetaObject::invokeMethod(this, &SessionEngine::drain, Qt::QueuedConnection); });
    start_refresh_timer(1000);
    connect(&details_timer_, &QTimer::timeout, this, &SessionEngine::request_details);
    details_timer_.start(1000);
}

void SessionEngine::request_details() {
    for (TorrentKey key : watched_) {
        auto it = tracked_.find(key);
        if (it != tracked_.end() && it->second.id)
            session_->request_details(*it->second.id);
    }
    watched_.clear();
}

std::uint16_t SessionEngine::listen_port() const {
    return session_->listen_port();
}

SessionEngine::~SessionEngine() {
    session_->set_wakeup({});
    session_->stop();
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
        case Feature::rename_files:
            return true;
    }
    return false;
}

AddResult SessionEngine::add(const AddRequest& request) {
    if (!request.info)
        return add_magnet(request);
    AddTorrentParams p;
    if (QString error = fill_common(request, p); !error.isEmpty())
        return {{}, error};
    p.info = request.info;
    std::map<std::size_t, std::string> file_names;
    for (const auto& [file, name] : request.file_names) {
        if (file >= 0)
            file_names[static_cast<std::size_t>(file)] = name.toStdString();
    }
    p.file_names = file_names;
    p.assume_complete = request.skip_check;
    p.file_priorities = request.file_priorities;
    const TorrentKey key{next_key_++};
    const TorrentId id = session_->add_torrent(std::move(p));
    by_id_[id.value] = key;
    Tracked& t = tracked_[key];
    t.id = id;
    t.priorities = request.file_priorities;
    if (t.priorities.empty())
        t.priorities.assign(request.info->files.size(), k_priority_normal);
    t.pieces.assign(static_cast<std::size_t>(request.info->num_pieces), 0);
    t.tiers = request.info->trackers;
    if (request.trackers) {
        t.tiers.clear();
        for (const QStringList& urls : *request.trackers) {
            t.tiers.emplace_back();
            for (const QString& url : urls)
                t.tiers.back().push_back(url.toStdString());
        }
        session_->set_trackers(id, t.tiers);
    }
    t.trackers = not_yet_contacted(t.tiers);

    // Shown with the names the session gives the files (it renames them the same way).
    const std::shared_ptr<const TorrentInfo> shown =
        request.file_names.empty()
            ? request.info
            : std::make_shared<const TorrentInfo>(with_files_renamed(*request.info, file_names));
    TorrentSnapshot s;
    s.key = key;
    s.name = QString::fromStdString(shown->name);
    s.info = shown;
    s.total_size = request.info->total_size;
    s.num_pieces = request.info->num_pieces;
    s.save_dir = request.save_dir;
    s.added_on = request.added_on.isValid() ? request.added_on : QDateTime::currentDateTime();
    s.sequential = request.sequential;
    s.magnet = QString::fromStdString(to_uri(magnet_for(*request.info)));
    append_row(std::move(s));
    return {key, {}};
}

QString SessionEngine::fill_common(const AddRequest& request, AddTorrentParams& p) {
    p.save_dir = QDir(request.save_dir).absolutePath().toStdString();
    p.paused = request.paused;
    p.sequential = request.sequential;
    for (const QString& peer : request.peers) {
        auto endpoint = parse_ip_endpoint(peer.toStdString());
        if (!endpoint)
            return tr("'%1' is not an address and port").arg(peer);
        p.peers.push_back(*endpoint);
    }
    return {};
}

AddResult SessionEngine::add_magnet(const AddRequest& request) {
    auto magnet = parse_magnet(request.magnet.toStdString());
    if (!magnet)
        return {{}, QString::fromStdString(magnet.error().message)};
    AddTorrentParams p;
    if (QString error = fill_common(request, p); !error.isEmpty())
        return {{}, error};
    const std::string name = magnet->display_name;
    p.magnet = std::move(*magnet);
    const TorrentKey key{next_key_++};
    const TorrentId id = session_->add_torrent(std::move(p));
    by_id_[id.value] = key;
    Tracked& t = tracked_[key];
    t.id = id;
    t.priorities = request.file_priorities;
    TorrentSnapshot s;
    s.key = key;
    s.name = name.empty() ? request.magnet.left(60) : QString::fromStdString(name);
    s.status = TorrentStatus::metadata;
    s.save_dir = request.save_dir;
    s.added_on = request.added_on.isValid() ? request.added_on : QDateTime::currentDateTime();
    s.sequential = request.sequential;
    s.magnet = request.magnet;
    append_row(std::move(s));
    return {key, {}};
}

void SessionEngine::fetch_metadata(const QString& magnet) {
    auto parsed = parse_magnet(magnet.toStdString());
    if (!parsed)
        return;
    AddTorrentParams p;
    p.magnet = std::move(*parsed);
    p.metadata_only = true;
    previews_[session_->add_torrent(std::move(p)).value] = magnet;
}

void SessionEngine::cancel_metadata(const QString& magnet) {
    for (auto it = previews_.begin(); it != previews_.end(); ++it) {
        if (it->second != magnet)
            continue;
        session_->remove_torrent(TorrentId{it->first});
        previews_.erase(it);
        return;
    }
}

void SessionEngine::pause(TorrentKey key) {
    auto it = tracked_.find(key);
    if (it != tracked_.end() && it->second.id)
        session_->pause(*it->second.id);
}

void SessionEngine::resume(TorrentKey key) {
    auto it = tracked_.find(key);
    if (it != tracked_.end() && it->second.id)
        session_->resume(*it->second.id);
}

void SessionEngine::remove(TorrentKey key, bool with_data) {
    auto it = tracked_.find(key);
    if (it == tracked_.end())
        return;
    if (it->second.id) {
        session_->remove_torrent(*it->second.id, with_data);
        by_id_.erase(it->second.id->value);
    }
    tracked_.erase(it);
    erase_row(key);
}

void SessionEngine::recheck(TorrentKey key) {
    auto it = tracked_.find(key);
    if (it == tracked_.end() || !it->second.id)
        return;
    std::fill(it->second.pieces.begin(), it->second.pieces.end(), 0);
    session_->recheck(*it->second.id);
}

void SessionEngine::reannounce(TorrentKey key) {
    auto it = tracked_.find(key);
    if (it != tracked_.end() && it->second.id)
        session_->reannounce(*it->second.id);
}

void SessionEngine::set_file_priority(TorrentKey key, int file, int priority) {
    auto it = tracked_.find(key);
    if (it == tracked_.end() || !it->second.id || file < 0)
        return;
    auto& priorities = it->second.priorities;
    if (static_cast<std::size_t>(file) >= priorities.size())
        return;
    priorities[static_cast<std::size_t>(file)] = priority;
    session_->set_file_priority(*it->second.id, static_cast<std::size_t>(file), priority);
}

std::vector<int> SessionEngine::file_priorities(TorrentKey key) const {
    auto it = tracked_.find(key);
    return it == tracked_.end() ? std::vector<int>{} : it->second.priorities;
}

QString SessionEngine::rename_file(TorrentKey key, int file, const QString& name) {
    auto it = tracked_.find(key);
    const TorrentSnapshot* s = find(key);
    if (it == tracked_.end() || !it->second.id || !s || !s->info || file < 0)
        return tr("This torrent's files are not known yet");
    // Checked here so the user hears at once; the session renames on its thread.
    auto renamed = with_file_renamed(*s->info, static_cast<std::size_t>(file), name.toStdString());
    if (!renamed)
        return QString::fromStdString(renamed.error().message);
    session_->rename_file(*it->second.id, static_cast<std::size_t>(file), name.toStdString());
    return {};
}

void SessionEngine::set_torrent_limits(TorrentKey key, std::int64_t up, std::int64_t down) {
    auto it = tracked_.find(key);
    if (it == tracked_.end() || !it->second.id)
        return;
    session_->set_torrent_rate_limits(*it->second.id, up, down);
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

std::vector<TrackerSnapshot> SessionEngine::not_yet_contacted(const Tiers& tiers) {
    std::vector<TrackerSnapshot> out;
    for (std::size_t t = 0; t < tiers.size(); ++t) {
        for (const auto& url : tiers[t]) {
            out.push_back({QString::fromStdString(url), static_cast<int>(t), tr("Not contacted yet"), {}, -1, {}});
        }
    }
    return out;
}

QString SessionEngine::change_trackers(TorrentKey key, const std::function<QString(Tiers&)>& change) {
    auto it = tracked_.find(key);
    if (it == tracked_.end() || !it->second.id)
        return tr("This torrent cannot take trackers yet");
    Tiers tiers = it->second.tiers;
    if (QString error = change(tiers); !error.isEmpty())
        return error;
    std::erase_if(tiers, [](const auto& tier) { return tier.empty(); });
    it->second.tiers = tiers;
    // Shown at once; the session's own view replaces it with the next details.
    it->second.trackers = not_yet_contacted(tiers);
    session_->set_trackers(*it->second.id, std::move(tiers));
    Q_EMIT trackers_edited(key);
    return {};
}

QString SessionEngine::add_tracker(TorrentKey key, const QString& url, int tier) {
    return change_trackers(key, [&](Tiers& tiers) -> QString {
        const std::string text = url.trimmed().toStdString();
        if (auto parts = tracker_client::split_tracker_url(text); !parts)
            return QString::fromStdString(parts.error().message);
        for (const auto& t : tiers) {
            if (std::find(t.begin(), t.end(), text) != t.end())
                return tr("'%1' is already a tracker of this torrent").arg(url);
        }
        if (tier < 0 || static_cast<std::size_t>(tier) >= tiers.size()) {
            tiers.push_back({text});
        } else {
            tiers[static_cast<std::size_t>(tier)].push_back(text);
        }
        return {};
    });
}

QString SessionEngine::edit_tracker(TorrentKey key, const QString& url, const QString& new_url) {
    return change_trackers(key, [&](Tiers& tiers) -> QString {
        const std::string text = new_url.trimmed().toStdString();
        if (auto parts = tracker_client::split_tracker_url(text); !parts)
            return QString::fromStdString(parts.error().message);
        for (auto& t : tiers) {
            for (auto& u : t) {
                if (u == url.toStdString()) {
                    u = text;
                    return {};
                }
            }
        }
        return tr("'%1' is not a tracker of this torrent").arg(url);
    });
}

QString SessionEngine::remove_tracker(TorrentKey key, const QString& url) {
    return change_trackers(key, [&](Tiers& tiers) -> QString {
        for (auto& t : tiers) {
            const auto before = t.size();
            std::erase(t, url.toStdString());
            if (t.size() != before)
                return {};
        }
        return tr("'%1' is not a tracker of this torrent").arg(url);
    });
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
    session_->set_rate_limits(settings.use_alt_limits ? settings.alt_up_limit : settings.up_limit,
                              settings.use_alt_limits ? settings.alt_down_limit : settings.down_limit);
    session_->set_max_peers_per_torrent(settings.max_peers_per_torrent);
    session_->set_max_connections(settings.max_connections);
    const bool needs_restart = old.listen_port != settings.listen_port || old.dht != settings.dht ||
                               old.pex != settings.pex || old.lsd != settings.lsd;
    return needs_restart ? tr("The port and the DHT, PEX and local discovery switches take effect "
                              "when Shoal restarts.")
                         : QString();
}

SessionTotals SessionEngine::totals() const {
    SessionTotals t;
    for (const auto& s : torrents()) {
        t.down_rate += s.down_rate;
        t.up_rate += s.up_rate;
    }
    t.dht_nodes = settings_.dht ? static_cast<int>(session_->dht_nodes()) : -1;
    return t;
}

void SessionEngine::drain() {
    for (const Event& e : session_->pop_events()) {
        const TorrentId id = std::visit([](const auto& v) { return v.id; }, e);
        if (auto preview = previews_.find(id.value); preview != previews_.end()) {
            if (auto* m = std::get_if<event::MetadataReceived>(&e)) {
                const QString magnet = preview->second;
                previews_.erase(preview);
                Q_EMIT metadata_fetched(magnet, m->info);
            }
            continue;
        }
        auto key_it = by_id_.find(id.value);
        if (key_it == by_id_.end())
            continue;  // removed already
        apply(key_it->second, tracked_[key_it->second], e);
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
    if (!s)
        return;
    mark_changed(key);
    if (auto* stats = std::get_if<event::Stats>(&e)) {
        const TorrentStats& st = stats->stats;
        s->status = status_of(st.state);
        s->wanted = st.total_wanted;
        s->wanted_done = st.total_wanted_done;
        s->pieces_have = st.pieces_have;
        s->num_pieces = st.num_pieces;
        s->downloaded = st.downloaded;
        s->uploaded = st.uploaded;
        s->all_time_downloaded = st.all_time_downloaded;
        s->all_time_uploaded = st.all_time_uploaded;
        s->down_rate = st.download_rate;
        s->up_rate = st.upload_rate;
        s->peers = st.peers;
        s->seeds = st.seeds;
    } else if (auto* state = std::get_if<event::StateChanged>(&e)) {
        s->status = status_of(state->state);
        if (state->state == TorrentState::downloading)
            t.was_downloading = true;
        if (state->state == TorrentState::seeding) {
            std::fill(t.pieces.begin(), t.pieces.end(), 1);
            s->pieces_have = s->num_pieces;
        }
        if (state->state != TorrentState::error)
            s->error.clear();
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
        s->name = QString::fromStdString(m->name);
        s->info = m->info;
        s->total_size = m->info->total_size;
        s->num_pieces = m->info->num_pieces;
        t.pieces.assign(static_cast<std::size_t>(m->info->num_pieces), 0);
        t.tiers = m->info->trackers;
        if (t.priorities.empty())
            t.priorities.assign(m->info->files.size(), k_priority_normal);
        t.trackers = not_yet_contacted(t.tiers);
    } else if (auto* r = std::get_if<event::FileRenamed>(&e)) {
        s->info = r->info;
        s->name = QString::fromStdString(r->info->name);
        Q_EMIT file_renamed(key, static_cast<int>(r->file), QString::fromStdString(r->name));
    } else if (std::get_if<event::TorrentFinished>(&e)) {
        s->finished = true;
        s->completed_on = QDateTime::currentDateTime();
        if (t.was_downloading)
            Q_EMIT torrent_finished(key);
    } else if (auto* error = std::get_if<event::Error>(&e)) {
        s->error = QString::fromStdString(error->message);
        Q_EMIT torrent_error(key, s->error);
    }
    // HashFailed, ConnectFailed and PeerBanned change nothing the GUI shows yet.
}

}  // namespace shoal::gui
