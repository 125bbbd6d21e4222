#include "engine/engine.hpp"

#include <algorithm>
#include <cmath>

#include "metainfo/torrent_info.hpp"

namespace shoal::gui {

QString status_text(TorrentStatus status) {
    switch (status) {
        case TorrentStatus::checking:
            return QObject::tr("Checking");
        case TorrentStatus::downloading:
            return QObject::tr("Downloading");
        case TorrentStatus::seeding:
            return QObject::tr("Seeding");
        case TorrentStatus::paused:
            return QObject::tr("Paused");
        case TorrentStatus::error:
            return QObject::tr("Error");
        case TorrentStatus::metadata:
            return QObject::tr("Fetching metadata");
        case TorrentStatus::queued:
            return QObject::tr("Queued");
    }
    return {};
}

Engine::Engine(QObject* parent) : QObject(parent) {
    qRegisterMetaType<TorrentKey>();
    connect(&refresh_timer_, &QTimer::timeout, this, &Engine::refresh);
}

Engine::~Engine() = default;

const TorrentSnapshot* Engine::find(TorrentKey key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &rows_[static_cast<std::size_t>(it->second)];
}

int Engine::row_of(TorrentKey key) const {
    auto it = index_.find(key);
    return it == index_.end() ? -1 : it->second;
}

TorrentSnapshot* Engine::mutable_find(TorrentKey key) {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &rows_[static_cast<std::size_t>(it->second)];
}

void Engine::mark_changed(TorrentKey key) {
    const int row = row_of(key);
    if (row >= 0)
        dirty_[static_cast<std::size_t>(row)] = 1;
}

void Engine::set_network(NetworkInfo network) {
    network_ = std::move(network);
    network_.known = true;
    emit network_changed(network_);
}

TorrentSnapshot& Engine::append_row(TorrentSnapshot snapshot) {
    const int row = static_cast<int>(rows_.size());
    emit torrent_about_to_be_added(row);
    index_[snapshot.key] = row;
    snapshot.added_on_secs = snapshot.added_on.toSecsSinceEpoch();
    rows_.push_back(std::move(snapshot));
    dirty_.push_back(0);
    emit torrent_added(row);
    return rows_.back();
}

void Engine::erase_row(TorrentKey key) {
    const int row = row_of(key);
    if (row < 0)
        return;
    emit torrent_about_to_be_removed(row);
    rows_.erase(rows_.begin() + row);
    dirty_.erase(dirty_.begin() + row);
    index_.erase(key);
    // Rows after the removed one moved up by one.
    for (std::size_t i = static_cast<std::size_t>(row); i < rows_.size(); ++i) {
        index_[rows_[i].key] = static_cast<int>(i);
    }
    emit torrent_removed(key);
}

void Engine::refresh() {
    QList<int> rows;
    for (std::size_t i = 0; i < dirty_.size(); ++i) {
        if (dirty_[i])
            rows.push_back(static_cast<int>(i));
    }
    std::fill(dirty_.begin(), dirty_.end(), 0);
    if (!rows.isEmpty())
        emit torrents_changed(rows);
    emit refreshed();
}

void Engine::start_refresh_timer(int interval_ms) {
    refresh_timer_.start(interval_ms);
}

QString Engine::add_web_seed(TorrentKey, const QString&) {
    return tr("This engine cannot change a torrent's web seeds");
}

QString Engine::remove_web_seed(TorrentKey, const QString&) {
    return tr("This engine cannot change a torrent's web seeds");
}

std::vector<std::int64_t> Engine::file_progress(TorrentKey key) const {
    const TorrentSnapshot* s = find(key);
    if (!s || !s->info)
        return {};
    return verified_bytes_per_file(*s->info, pieces(key, nullptr));
}

std::vector<std::int64_t> verified_bytes_per_file(const TorrentInfo& info,
                                                  const std::vector<std::uint8_t>& pieces) {
    std::vector<std::int64_t> out(info.files.size(), 0);
    if (info.piece_length <= 0)
        return out;
    for (std::size_t f = 0; f < info.files.size(); ++f) {
        const FileEntry& file = info.files[f];
        const std::int64_t end = file.offset + file.size;
        for (std::int64_t p = file.offset / info.piece_length; p * info.piece_length < end; ++p) {
            if (static_cast<std::size_t>(p) >= pieces.size() || !pieces[static_cast<std::size_t>(p)])
                continue;
            const std::int64_t from = std::max(file.offset, p * info.piece_length);
            const std::int64_t to = std::min(end, (p + 1) * info.piece_length);
            out[f] += to - from;
        }
    }
    return out;
}

QString human_size(std::int64_t bytes) {
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (std::abs(value) >= 1024 && unit < 5) {
        value /= 1024;
        ++unit;
    }
    if (unit == 0)
        return QStringLiteral("%1 B").arg(bytes);
    return QStringLiteral("%1 %2").arg(value, 0, 'f', value < 10 ? 2 : 1).arg(units[unit]);
}

QString human_rate(double bytes_per_second) {
    if (bytes_per_second <= 0)
        return QStringLiteral("0 B/s");
    return human_size(static_cast<std::int64_t>(bytes_per_second)) + QStringLiteral("/s");
}

QString human_duration(double seconds) {
    if (seconds < 0 || seconds > 100.0 * 24 * 3600)
        return QStringLiteral("∞");
    const auto s = static_cast<std::int64_t>(seconds);
    if (s >= 86400)
        return QStringLiteral("%1d %2h").arg(s / 86400).arg(s / 3600 % 24);
    if (s >= 3600)
        return QStringLiteral("%1h %2m").arg(s / 3600).arg(s / 60 % 60);
    if (s >= 60)
        return QStringLiteral("%1m %2s").arg(s / 60).arg(s % 60);
    return QStringLiteral("%1s").arg(s);
}

}  // namespace shoal::gui
