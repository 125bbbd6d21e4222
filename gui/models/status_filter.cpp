#include "models/status_filter.hpp"

#include <QIcon>

namespace shoal::gui {

bool matches(const TorrentSnapshot& s, StatusFilter filter) {
    switch (filter) {
        case StatusFilter::all:
            return true;
        case StatusFilter::downloading:
            return s.status == TorrentStatus::downloading || s.status == TorrentStatus::metadata;
        case StatusFilter::seeding:
            return s.status == TorrentStatus::seeding;
        case StatusFilter::completed:
            return s.finished;
        case StatusFilter::paused:
            return s.status == TorrentStatus::paused;
        case StatusFilter::active:
            return s.active();
        case StatusFilter::checking:
            return s.status == TorrentStatus::checking;
        case StatusFilter::errored:
            return s.status == TorrentStatus::error;
    }
    return false;
}

QString filter_name(StatusFilter filter) {
    switch (filter) {
        case StatusFilter::all:
            return QObject::tr("All");
        case StatusFilter::downloading:
            return QObject::tr("Downloading");
        case StatusFilter::seeding:
            return QObject::tr("Seeding");
        case StatusFilter::completed:
            return QObject::tr("Completed");
        case StatusFilter::paused:
            return QObject::tr("Paused");
        case StatusFilter::active:
            return QObject::tr("Active");
        case StatusFilter::checking:
            return QObject::tr("Checking");
        case StatusFilter::errored:
            return QObject::tr("Errored");
    }
    return {};
}

StatusFilterModel::StatusFilterModel(Engine& engine, QObject* parent)
    : QAbstractListModel(parent), engine_(engine) {
    connect(&engine, &Engine::refreshed, this, &StatusFilterModel::recount);
    connect(&engine, &Engine::torrent_added, this, &StatusFilterModel::recount_soon);
    connect(&engine, &Engine::torrent_removed, this, &StatusFilterModel::recount_soon);
    recount();
}

int StatusFilterModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : k_status_filter_count;
}

QVariant StatusFilterModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const auto filter = static_cast<StatusFilter>(index.row());
    const int n = counts_[static_cast<std::size_t>(index.row())];
    switch (role) {
        case Qt::DisplayRole:
            return QStringLiteral("%1 (%2)").arg(filter_name(filter)).arg(n);
        case filter_role:
            return index.row();
        case count_role:
            return n;
        default:
            return {};
    }
}

void StatusFilterModel::recount_soon() {
    // Adding thousands of torrents at start counts once, not once per torrent.
    if (recount_queued_)
        return;
    recount_queued_ = true;
    QMetaObject::invokeMethod(this, &StatusFilterModel::recount, Qt::QueuedConnection);
}

void StatusFilterModel::recount() {
    recount_queued_ = false;
    std::array<int, k_status_filter_count> counts{};
    auto count = [&](StatusFilter f) { ++counts[static_cast<std::size_t>(f)]; };
    // One pass with the same rules as matches(), which is too slow to ask eight times per
    // torrent every second.
    for (const auto& s : engine_.torrents()) {
        count(StatusFilter::all);
        switch (s.status) {
            case TorrentStatus::downloading:
            case TorrentStatus::metadata:
                count(StatusFilter::downloading);
                break;
            case TorrentStatus::seeding:
                count(StatusFilter::seeding);
                break;
            case TorrentStatus::paused:
                count(StatusFilter::paused);
                break;
            case TorrentStatus::checking:
                count(StatusFilter::checking);
                break;
            case TorrentStatus::error:
                count(StatusFilter::errored);
                break;
            case TorrentStatus::queued:
                break;
        }
        if (s.finished)
            count(StatusFilter::completed);
        if (s.active())
            count(StatusFilter::active);
    }
    for (int f = 0; f < k_status_filter_count; ++f) {
        if (counts[static_cast<std::size_t>(f)] != counts_[static_cast<std::size_t>(f)]) {
            counts_[static_cast<std::size_t>(f)] = counts[static_cast<std::size_t>(f)];
            emit dataChanged(index(f), index(f));
        }
    }
}

}  // namespace shoal::gui
