#include "models/trackers_model.hpp"

#include <QLocale>

namespace shoal::gui {

int TrackersModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : column_count;
}

QString TrackersModel::url_at(int row) const {
    if (row < 0 || row >= rowCount())
        return {};
    return rows()[static_cast<std::size_t>(row)].url;
}

bool TrackersModel::same(const TrackerSnapshot& a, const TrackerSnapshot& b) const {
    return a.tier == b.tier && a.status == b.status && a.message == b.message &&
           a.peers == b.peers && a.next_announce == b.next_announce;
}

QVariant TrackersModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const TrackerSnapshot& t = row_at(index);
    if (role == Qt::ToolTipRole && index.column() == message)
        return t.message;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
        case tier:
            return t.tier + 1;
        case url:
            return t.url;
        case status:
            return t.status;
        case peers:
            return t.peers < 0 ? QStringLiteral("–") : QString::number(t.peers);
        case message:
            return t.message;
        case next_announce:
            return t.next_announce.isValid()
                       ? QLocale().toString(t.next_announce.time(), QLocale::ShortFormat)
                       : QStringLiteral("–");
        default:
            return {};
    }
}

QVariant TrackersModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
        case tier:
            return tr("Tier");
        case url:
            return tr("URL");
        case status:
            return tr("Status");
        case peers:
            return tr("Peers");
        case message:
            return tr("Message");
        case next_announce:
            return tr("Next Announce");
        default:
            return {};
    }
}

}  // namespace shoal::gui
