#include "fake_engine.hpp"

#include <QCryptographicHash>
#include <QDir>
#include <algorithm>

#include "metainfo/magnet.hpp"
#include "metainfo/torrent_info.hpp"
#include "session/events.hpp"

namespace shoal::gui {

std::shared_ptr<const TorrentInfo> make_fake_info(const QString& name,
                                                  const std::vector<std::int64_t>& file_sizes) {
    auto info = std::make_shared<TorrentInfo>();
    info->name = name.toStdString();
    info->multi_file = file_sizes.size() > 1;
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < file_sizes.size(); ++i) {
        FileEntry f;
        if (info->multi_file) {
            f.path = {info->name, i % 3 == 2 ? "extras" : "data",
                      "part-" + std::to_string(i) + ".bin"};
        } else {
            f.path = {info->name};
        }
        f.size = file_sizes[i];
        f.offset = offset;
        offset += f.size;
        info->files.push_back(std::move(f));
    }
    info->total_size = offset;
    info->piece_length = 256 * 1024;
    while (info->total_size / info->piece_length > 2000)
        info->piece_length *= 2;
    info->num_pieces = (info->total_size + info->piece_length - 1) / info->piece_length;
    const QByteArray seed = name.toUtf8();
    info->info_hash_v1 = InfoHashV1::from_bytes(
        QCryptographicHash::hash(seed, QCryptographicHash::Sha1).toStdString());
    info->info_hash_v2 = InfoHashV2::from_bytes(
        QCryptographicHash::hash(seed, QCryptographicHash::Sha256).toStdString());
    info->trackers = {{"udp://tracker.example.org:6969/announce"},
                      {"https://tracker.example.net/announce"}};
    info->comment = "Made for tests";
    info->created_by = "Shoal";
    info->creation_date = 1'700'000'000;
    return info;
}

using control::TorrentSummary;

namespace {

EngineSettings fake_settings() {
    EngineSettings s;
    s.default_save_dir = QDir::tempPath();
    return s;
}

TorrentState state_of(TorrentStatus status) {
    switch (status) {
        case TorrentStatus::checking:
            return TorrentState::checking;
        case TorrentStatus::downloading:
            return TorrentState::downloading;
        case TorrentStatus::seeding:
            return TorrentState::seeding;
        case TorrentStatus::paused:
        case TorrentStatus::queued:  // waiting in the queue: paused in the session
            return TorrentState::paused;
        case TorrentStatus::error:
            return TorrentState::error;
        case TorrentStatus::metadata:
            return TorrentState::fetching_metadata;
    }
    return TorrentState::error;
}

// Peers, trackers and pieces for a torrent of these figures, as a session's details.
event::Details details_for(TorrentId id, const TorrentSummary& s, int peers, int seeds) {
    event::Details d;
    d.id = id;
    static const char* clients[] = {"qBittorrent 4.5.2", "Transmission 4.0.3", "libtorrent 2.0.8",
                                    "aria2 1.36.0", "Shoal 0.1.0"};
    const double down = s.stats.download_rate;
    const double up = s.stats.upload_rate;
    for (int i = 0; i < peers + seeds; ++i) {
        PeerInfo p;
        p.address = "192.0.2." + std::to_string(10 + i) + ":" + std::to_string(51413 + i);
        p.client = clients[i % 5];
        p.flags = i < seeds ? "D U" : "d u I";
        p.progress = i < seeds ? 1.0 : 0.1 * (i % 10);
        p.download_rate = down / std::max(1, peers + seeds);
        p.upload_rate = up / std::max(1, peers + seeds);
        d.peers.push_back(p);
    }
    int tier = 0;
    for (const auto& urls : s.info->trackers) {
        for (const auto& url : urls)
            d.trackers.push_back({url, tier, TrackerInfo::Status::working, "ok", 12 + tier, 600 + tier * 60, 30});
        ++tier;
    }
    // Scattered like a real swarm's: every piece whose scrambled index falls under the count.
    const auto count = static_cast<std::size_t>(s.stats.num_pieces);
    d.have.assign((count + 7) / 8, '\0');
    for (std::size_t i = 0; i < count; ++i) {
        if (static_cast<std::int64_t>((i * 7919) % count) < s.stats.pieces_have)
            d.have[i / 8] = static_cast<char>(d.have[i / 8] | (0x80 >> (i % 8)));
    }
    return d;
}

}  // namespace

FakeEngine::FakeEngine(QObject* parent)
    : SessionEngine(std::make_unique<test::FakeControl>(), fake_settings(), parent) {}

void FakeEngine::set_supported(Feature feature, bool supported) {
    if (supported) {
        unsupported_.erase(feature);
    } else {
        unsupported_.insert(feature);
    }
}

bool FakeEngine::supports(Feature feature) const {
    return !unsupported_.contains(feature);
}

TorrentKey FakeEngine::add_fake(const FakeTorrent& spec) {
    AddRequest r;
    r.info = make_fake_info(spec.name, spec.file_sizes);
    r.save_dir = spec.save_dir;
    r.added_on = QDateTime(QDate(2026, 11, 1), QTime(9, 30)).addSecs((torrents().size() + 1) * 3600);
    const AddResult added = SessionEngine::add(r);
    const TorrentId id{added.key.value};
    TorrentSummary& s = fake().summary(id);
    TorrentStats& st = s.stats;
    st.state = state_of(spec.status);
    if (spec.status == TorrentStatus::queued)
        s.queued = spec.progress >= 1.0 ? TorrentSummary::Queued::to_seed : TorrentSummary::Queued::to_download;
    st.total_wanted = s.info->total_size;
    st.total_wanted_done = static_cast<std::int64_t>(spec.progress * static_cast<double>(st.total_wanted));
    st.pieces_have = static_cast<std::int64_t>(spec.progress * static_cast<double>(st.num_pieces));
    st.download_rate = spec.down_rate;
    st.upload_rate = spec.up_rate;
    st.seeds = spec.seeds;
    st.peers = spec.peers;
    st.downloaded = st.total_wanted_done;
    st.uploaded = st.total_wanted_done / 2;
    s.finished = spec.progress >= 1.0;
    s.error = spec.error.toStdString();
    fake().publish(event::StateChanged{id, st.state});
    fake().publish(event::Stats{id, st});
    fake().publish(details_for(id, s, spec.peers, spec.seeds));
    drain();
    return added.key;
}

void FakeEngine::step() {
    simulate_second();
    refresh();
}

void FakeEngine::simulate_second(bool vary_rates) {
    for (const auto& row : torrents()) {
        const TorrentId id{row.key.value};
        TorrentSummary& s = fake().summary(id);
        TorrentStats& st = s.stats;
        if (vary_rates) {
            // A linear congruential step: repeatable runs without <random>'s weight.
            noise_ = noise_ * 1664525u + 1013904223u;
            const double factor = 0.8 + 0.4 * static_cast<double>(noise_ >> 8) / double(1 << 24);
            st.download_rate *= factor;
            st.upload_rate *= factor;
        }
        if (st.state == TorrentState::downloading) {
            st.total_wanted_done =
                std::min(st.total_wanted, st.total_wanted_done + static_cast<std::int64_t>(st.download_rate));
            st.downloaded = st.total_wanted_done;
            if (st.num_pieces > 0)
                st.pieces_have = st.total_wanted_done * st.num_pieces / std::max<std::int64_t>(1, st.total_wanted);
            if (st.total_wanted_done == st.total_wanted) {
                st.state = TorrentState::seeding;
                st.download_rate = 0;
                s.finished = true;
                fake().publish(event::StateChanged{id, st.state});
                fake().publish(event::TorrentFinished{id, true});
            }
        }
        st.uploaded += static_cast<std::int64_t>(st.upload_rate);
        fake().publish(event::Stats{id, st});
    }
    drain();
}

AddResult FakeEngine::add(const AddRequest& request) {
    const AddResult result = SessionEngine::add(request);
    if (!result.ok())
        return result;
    added.push_back(request);
    QStringList priorities;
    for (int p : request.file_priorities)
        priorities << QString::number(p);
    log(QStringLiteral("add %1 save=%2 paused=%3 skip_check=%4 sequential=%5 priorities=%6")
            .arg(find(result.key)->name, request.save_dir)
            .arg(int(request.paused))
            .arg(int(request.skip_check))
            .arg(int(request.sequential))
            .arg(priorities.join(QLatin1Char(','))));
    return result;
}

void FakeEngine::pause(TorrentKey key) {
    log(QStringLiteral("pause %1").arg(key.value));
    SessionEngine::pause(key);
    drain();
}

void FakeEngine::resume(TorrentKey key) {
    log(QStringLiteral("resume %1").arg(key.value));
    SessionEngine::resume(key);
    drain();
}

void FakeEngine::remove(TorrentKey key, bool with_data) {
    log(QStringLiteral("remove %1 with_data=%2").arg(key.value).arg(int(with_data)));
    SessionEngine::remove(key, with_data);
}

void FakeEngine::recheck(TorrentKey key) {
    log(QStringLiteral("recheck %1").arg(key.value));
    SessionEngine::recheck(key);
}

void FakeEngine::reannounce(TorrentKey key) {
    log(QStringLiteral("reannounce %1").arg(key.value));
    SessionEngine::reannounce(key);
}

void FakeEngine::set_file_priority(TorrentKey key, int file, int priority) {
    log(QStringLiteral("priority %1 file=%2 priority=%3").arg(key.value).arg(file).arg(priority));
    SessionEngine::set_file_priority(key, file, priority);
}

QString FakeEngine::rename_file(TorrentKey key, int file, const QString& name) {
    log(QStringLiteral("rename %1 file=%2 name=%3").arg(key.value).arg(file).arg(name));
    const QString error = SessionEngine::rename_file(key, file, name);
    drain();
    return error;
}

void FakeEngine::set_torrent_limits(TorrentKey key, std::int64_t up, std::int64_t down) {
    log(QStringLiteral("limits %1 up=%2 down=%3").arg(key.value).arg(up).arg(down));
    SessionEngine::set_torrent_limits(key, up, down);
}

QString FakeEngine::add_tracker(TorrentKey key, const QString& url, int tier) {
    log(QStringLiteral("add_tracker %1 %2 tier=%3").arg(key.value).arg(url).arg(tier));
    return SessionEngine::add_tracker(key, url, tier);
}

QString FakeEngine::set_location(TorrentKey key, const QString& folder, bool move) {
    log(QStringLiteral("set_location %1 %2 move=%3").arg(key.value).arg(folder).arg(move ? 1 : 0));
    return SessionEngine::set_location(key, folder, move);
}

void FakeEngine::move_in_queue(const std::vector<TorrentKey>& keys, control::QueueMove to) {
    QStringList which;
    for (TorrentKey k : keys)
        which << QString::number(k.value);
    log(QStringLiteral("move_in_queue %1 to=%2").arg(which.join(',')).arg(static_cast<int>(to)));
    SessionEngine::move_in_queue(keys, to);
}

QString FakeEngine::add_web_seed(TorrentKey key, const QString& url) {
    log(QStringLiteral("add_web_seed %1 %2").arg(key.value).arg(url));
    return SessionEngine::add_web_seed(key, url);
}

QString FakeEngine::remove_web_seed(TorrentKey key, const QString& url) {
    log(QStringLiteral("remove_web_seed %1 %2").arg(key.value).arg(url));
    return SessionEngine::remove_web_seed(key, url);
}

void FakeEngine::publish_web_seeds(TorrentKey key) {
    const TorrentId id{key.value};
    event::Details d;
    d.id = id;
    for (const auto& url : fake().web_seeds(id)) d.web_seeds.push_back({url, "downloading", "", 1000, 5000, 0});
    fake().publish(d);
    drain();
}

QString FakeEngine::edit_tracker(TorrentKey key, const QString& url, const QString& new_url) {
    log(QStringLiteral("edit_tracker %1 %2 %3").arg(key.value).arg(url, new_url));
    return SessionEngine::edit_tracker(key, url, new_url);
}

QString FakeEngine::remove_tracker(TorrentKey key, const QString& url) {
    log(QStringLiteral("remove_tracker %1 %2").arg(key.value).arg(url));
    return SessionEngine::remove_tracker(key, url);
}

void FakeEngine::publish_network(const NetworkState& state) {
    fake().publish(event::NetworkStatus{TorrentId{0}, std::make_shared<const NetworkState>(state)});
    drain();
}

QString FakeEngine::apply_settings(const EngineSettings& settings) {
    log(QStringLiteral("settings port=%1 down=%2 up=%3 alt=%4 dht=%5 save=%6")
            .arg(settings.listen_port)
            .arg(settings.down_limit)
            .arg(settings.up_limit)
            .arg(int(settings.use_alt_limits))
            .arg(int(settings.dht))
            .arg(settings.default_save_dir));
    SessionEngine::apply_settings(settings);
    return {};  // nothing waits for a restart here
}

void FakeEngine::fetch_metadata(const QString& magnet) {
    log("fetch_metadata " + magnet);
    SessionEngine::fetch_metadata(magnet);
}

void FakeEngine::cancel_metadata(const QString& magnet) {
    log("cancel_metadata " + magnet);
    SessionEngine::cancel_metadata(magnet);
}

void FakeEngine::deliver_metadata(const QString& magnet, std::shared_ptr<const TorrentInfo> info) {
    const auto id = fake().fetching(magnet.toStdString());
    if (!id)
        return;
    fake().publish(event::MetadataReceived{*id, info->name, std::move(info)});
    drain();
}

SessionTotals FakeEngine::totals() const {
    SessionTotals t = SessionEngine::totals();
    t.dht_nodes = settings().dht && supports(Feature::dht) ? 212 : -1;
    return t;
}

}  // namespace shoal::gui
