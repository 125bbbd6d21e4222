#include "fake_engine.hpp"

#include <QCryptographicHash>
#include <QDir>
#include <algorithm>

#include "metainfo/magnet.hpp"
#include "metainfo/torrent_info.hpp"

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

FakeEngine::FakeEngine(QObject* parent) : Engine(parent) {
    settings_.default_save_dir = QDir::tempPath();
}

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

TorrentKey FakeEngine::insert(TorrentSnapshot s, std::vector<int> priorities) {
    const TorrentKey key{next_key_++};
    s.key = key;
    Extra& e = extra_[key];
    if (s.info) {
        if (priorities.empty())
            priorities.assign(s.info->files.size(), k_priority_normal);
        int tier = 0;
        for (const auto& urls : s.info->trackers) {
            for (const auto& url : urls) {
                e.trackers.push_back({QString::fromStdString(url), tier, QStringLiteral("Working"),
                                      QStringLiteral("ok"), 12 + tier,
                                      QDateTime::fromSecsSinceEpoch(1'700'000'600 + tier * 60)});
            }
            ++tier;
        }
        e.renamed.resize(s.info->files.size());
    }
    e.priorities = std::move(priorities);
    append_row(std::move(s));
    return key;
}

TorrentKey FakeEngine::add_fake(const FakeTorrent& spec) {
    TorrentSnapshot s;
    s.name = spec.name;
    s.info = make_fake_info(spec.name, spec.file_sizes);
    s.total_size = s.info->total_size;
    s.wanted = s.total_size;
    s.wanted_done = static_cast<std::int64_t>(spec.progress * static_cast<double>(s.wanted));
    s.num_pieces = s.info->num_pieces;
    s.pieces_have = static_cast<std::int64_t>(spec.progress * static_cast<double>(s.num_pieces));
    s.status = spec.status;
    s.finished = spec.progress >= 1.0;
    s.down_rate = spec.down_rate;
    s.up_rate = spec.up_rate;
    s.seeds = spec.seeds;
    s.peers = spec.peers;
    s.error = spec.error;
    s.save_dir = spec.save_dir;
    s.downloaded = s.wanted_done;
    s.uploaded = s.wanted_done / 2;
    s.added_on = QDateTime(QDate(2026, 11, 1), QTime(9, 30)).addSecs(next_key_ * 3600);
    s.magnet = QString::fromStdString(to_uri(magnet_for(*s.info)));
    return insert(std::move(s), {});
}

void FakeEngine::step() {
    simulate_second();
    refresh();
}

void FakeEngine::simulate_second(bool vary_rates) {
    for (const auto& row : torrents()) {
        TorrentSnapshot* s = mutable_find(row.key);
        if (vary_rates) {
            // A linear congruential step: repeatable runs without <random>'s weight.
            noise_ = noise_ * 1664525u + 1013904223u;
            const double factor = 0.8 + 0.4 * static_cast<double>(noise_ >> 8) / double(1 << 24);
            s->down_rate *= factor;
            s->up_rate *= factor;
        }
        if (s->status == TorrentStatus::downloading) {
            s->wanted_done =
                std::min(s->wanted, s->wanted_done + static_cast<std::int64_t>(s->down_rate));
            s->downloaded = s->wanted_done;
            if (s->num_pieces > 0)
                s->pieces_have =
                    s->wanted_done * s->num_pieces / std::max<std::int64_t>(1, s->wanted);
            if (s->wanted_done == s->wanted) {
                s->status = TorrentStatus::seeding;
                s->finished = true;
                s->down_rate = 0;
                emit torrent_finished(s->key);
            }
        }
        s->uploaded += static_cast<std::int64_t>(s->up_rate);
        mark_changed(s->key);
    }
}

AddResult FakeEngine::add(const AddRequest& request) {
    for (const TorrentSnapshot& row : torrents()) {
        const bool same = request.info ? row.info && row.info->info_hash_v1 == request.info->info_hash_v1 &&
                                             row.info->info_hash_v2 == request.info->info_hash_v2
                                       : !row.info && row.magnet == request.magnet;
        if (same)
            return {{}, tr("This torrent is already in the list")};
    }
    added.push_back(request);
    TorrentSnapshot s;
    if (request.info) {
        s.info = request.info;
        s.name = QString::fromStdString(request.info->name);
        s.total_size = request.info->total_size;
        s.num_pieces = request.info->num_pieces;
        s.wanted = s.total_size;
        s.magnet = QString::fromStdString(to_uri(magnet_for(*request.info)));
    } else {
        if (!request.magnet.startsWith(QLatin1String("magnet:"))) {
            return {{}, tr("not a magnet link")};
        }
        s.name = request.magnet.left(40);
        s.magnet = request.magnet;
        s.status = TorrentStatus::metadata;
    }
    if (request.info)
        s.status = request.paused ? TorrentStatus::paused : TorrentStatus::checking;
    if (request.skip_check && request.info) {
        s.wanted_done = s.wanted;
        s.finished = true;
    }
    s.save_dir = request.save_dir;
    s.sequential = request.sequential;
    s.added_on = request.added_on.isValid() ? request.added_on : QDateTime::currentDateTime();
    QStringList priorities;
    for (int p : request.file_priorities)
        priorities << QString::number(p);
    log(QStringLiteral("add %1 save=%2 paused=%3 skip_check=%4 sequential=%5 priorities=%6")
            .arg(s.name, request.save_dir)
            .arg(int(request.paused))
            .arg(int(request.skip_check))
            .arg(int(request.sequential))
            .arg(priorities.join(QLatin1Char(','))));
    return {insert(std::move(s), request.file_priorities), {}};
}

void FakeEngine::pause(TorrentKey key) {
    log(QStringLiteral("pause %1").arg(key.value));
    if (auto* s = mutable_find(key)) {
        s->status = TorrentStatus::paused;
        s->down_rate = s->up_rate = 0;
        mark_changed(key);
    }
}

void FakeEngine::resume(TorrentKey key) {
    log(QStringLiteral("resume %1").arg(key.value));
    if (auto* s = mutable_find(key)) {
        s->status = s->finished ? TorrentStatus::seeding : TorrentStatus::downloading;
        mark_changed(key);
    }
}

void FakeEngine::remove(TorrentKey key, bool with_data) {
    log(QStringLiteral("remove %1 with_data=%2").arg(key.value).arg(int(with_data)));
    extra_.erase(key);
    erase_row(key);
}

void FakeEngine::recheck(TorrentKey key) {
    log(QStringLiteral("recheck %1").arg(key.value));
}
void FakeEngine::reannounce(TorrentKey key) {
    log(QStringLiteral("reannounce %1").arg(key.value));
}

void FakeEngine::set_file_priority(TorrentKey key, int file, int priority) {
    log(QStringLiteral("priority %1 file=%2 priority=%3").arg(key.value).arg(file).arg(priority));
    auto it = extra_.find(key);
    if (it != extra_.end() && file >= 0 &&
        static_cast<std::size_t>(file) < it->second.priorities.size()) {
        it->second.priorities[static_cast<std::size_t>(file)] = priority;
    }
}

std::vector<int> FakeEngine::file_priorities(TorrentKey key) const {
    auto it = extra_.find(key);
    return it == extra_.end() ? std::vector<int>{} : it->second.priorities;
}

QString FakeEngine::rename_file(TorrentKey key, int file, const QString& name) {
    log(QStringLiteral("rename %1 file=%2 name=%3").arg(key.value).arg(file).arg(name));
    Q_EMIT file_renamed(key, file, name);
    return {};
}

void FakeEngine::set_torrent_limits(TorrentKey key, std::int64_t up, std::int64_t down) {
    log(QStringLiteral("limits %1 up=%2 down=%3").arg(key.value).arg(up).arg(down));
    if (auto* s = mutable_find(key)) {
        s->up_limit = up;
        s->down_limit = down;
        mark_changed(key);
    }
}

std::vector<TrackerSnapshot> FakeEngine::trackers(TorrentKey key) const {
    auto it = extra_.find(key);
    return it == extra_.end() ? std::vector<TrackerSnapshot>{} : it->second.trackers;
}

QString FakeEngine::add_tracker(TorrentKey key, const QString& url, int tier) {
    log(QStringLiteral("add_tracker %1 %2 tier=%3").arg(key.value).arg(url).arg(tier));
    extra_[key].trackers.push_back({url, tier, QStringLiteral("Not contacted yet"), {}, -1, {}});
    Q_EMIT trackers_edited(key);
    return {};
}

QString FakeEngine::edit_tracker(TorrentKey key, const QString& url, const QString& new_url) {
    log(QStringLiteral("edit_tracker %1 %2 %3").arg(key.value).arg(url, new_url));
    for (auto& t : extra_[key].trackers) {
        if (t.url == url)
            t.url = new_url;
    }
    Q_EMIT trackers_edited(key);
    return {};
}

QString FakeEngine::remove_tracker(TorrentKey key, const QString& url) {
    log(QStringLiteral("remove_tracker %1 %2").arg(key.value).arg(url));
    auto& list = extra_[key].trackers;
    list.erase(
        std::remove_if(list.begin(), list.end(), [&](const auto& t) { return t.url == url; }),
        list.end());
    Q_EMIT trackers_edited(key);
    return {};
}

std::vector<PeerSnapshot> FakeEngine::peers(TorrentKey key) const {
    std::vector<PeerSnapshot> out;
    const TorrentSnapshot* s = find(key);
    if (!s)
        return out;
    static const char* clients[] = {"qBittorrent 4.5.2", "Transmission 4.0.3", "libtorrent 2.0.8",
                                    "aria2 1.36.0", "Shoal 0.1.0"};
    for (int i = 0; i < s->peers + s->seeds; ++i) {
        PeerSnapshot p;
        p.address = QStringLiteral("192.0.2.%1:%2").arg(10 + i).arg(51413 + i);
        p.client = QString::fromLatin1(clients[i % 5]);
        p.flags = i < s->seeds ? QStringLiteral("D U") : QStringLiteral("d u I");
        p.progress = i < s->seeds ? 1.0 : 0.1 * (i % 10);
        p.down_rate = s->down_rate / std::max(1, s->peers + s->seeds);
        p.up_rate = s->up_rate / std::max(1, s->peers + s->seeds);
        out.push_back(p);
    }
    return out;
}

std::vector<std::uint8_t> FakeEngine::pieces(TorrentKey key, bool* exact) const {
    const TorrentSnapshot* s = find(key);
    if (exact)
        *exact = true;
    if (!s)
        return {};
    std::vector<std::uint8_t> out(static_cast<std::size_t>(s->num_pieces), 0);
    // Scattered like a real swarm's: every piece whose scrambled index falls under the count.
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto scrambled = static_cast<std::int64_t>((i * 7919) % out.size());
        out[i] = scrambled < s->pieces_have ? 1 : 0;
    }
    return out;
}

QString FakeEngine::apply_settings(const EngineSettings& settings) {
    log(QStringLiteral("settings port=%1 down=%2 up=%3 alt=%4 dht=%5 save=%6")
            .arg(settings.listen_port)
            .arg(settings.down_limit)
            .arg(settings.up_limit)
            .arg(int(settings.use_alt_limits))
            .arg(int(settings.dht))
            .arg(settings.default_save_dir));
    settings_ = settings;
    return {};
}

void FakeEngine::fetch_metadata(const QString& magnet) {
    log("fetch_metadata " + magnet);
}

void FakeEngine::cancel_metadata(const QString& magnet) {
    log("cancel_metadata " + magnet);
}

void FakeEngine::deliver_metadata(const QString& magnet, std::shared_ptr<const TorrentInfo> info) {
    emit metadata_fetched(magnet, std::move(info));
}

SessionTotals FakeEngine::totals() const {
    SessionTotals t;
    for (const auto& s : torrents()) {
        t.down_rate += s.down_rate;
        t.up_rate += s.up_rate;
    }
    t.dht_nodes = settings_.dht && supports(Feature::dht) ? 212 : -1;
    return t;
}

}  // namespace shoal::gui
