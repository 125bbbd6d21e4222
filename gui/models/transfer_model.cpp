#include "models/transfer_model.hpp"

#include <QApplication>
#include <QLocale>
#include <QStyle>

namespace shoal::gui {

TransferModel::TransferModel(Engine& engine, QObject* parent)
    : QAbstractTableModel(parent), engine_(engine) {
    connect(&engine, &Engine::torrent_about_to_be_added, this,
            [this](int row) { beginInsertRows({}, row, row); });
    connect(&engine, &Engine::torrent_added, this, [this] { endInsertRows(); });
    connect(&engine, &Engine::torrent_about_to_be_removed, this,
            [this](int row) { beginRemoveRows({}, row, row); });
    connect(&engine, &Engine::torrent_removed, this, [this] { endRemoveRows(); });
    connect(&engine, &Engine::torrents_changed, this, &TransferModel::on_changed);
}

int TransferModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(engine_.torrents().size());
}

int TransferModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : column_count;
}

TorrentKey TransferModel::key_at(int row) const {
    const auto& rows = engine_.torrents();
    if (row < 0 || static_cast<std::size_t>(row) >= rows.size())
        return {};
    return rows[static_cast<std::size_t>(row)].key;
}

void TransferModel::on_changed(const QList<int>& rows) {
    // One dataChanged per run of neighbouring rows keeps the signal count low. The name and
    // added-on columns are left out: they never change after adding, and leaving them out
    // spares the sort proxy a re-sort of thousands of rows when the list is sorted by them.
    int first = -1;
    int last = -1;
    auto flush = [&] {
        if (first >= 0)
            emit dataChanged(index(first, size), index(last, ratio));
    };
    for (int row : rows) {
        if (row == last + 1 && first >= 0) {
            last = row;
            continue;
        }
        flush();
        first = last = row;
    }
    flush();
}

QVariant TransferModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const TorrentSnapshot& s = engine_.torrents()[static_cast<std::size_t>(index.row())];
    switch (role) {
        case Qt::DisplayRole:
            return display(s, index.column());
        case sort_role:
            return sort_value(s, index.column());
        case key_role:
            return s.key.value;
        case status_role:
            return static_cast<int>(s.status);
        case progress_role:
            return s.progress();
        case Qt::ToolTipRole:
            if (index.column() == name || index.column() == status) {
                return s.error.isEmpty() ? s.name : s.name + QStringLiteral("\n") + s.error;
            }
            return {};
        case Qt::TextAlignmentRole:
            if (index.column() == name || index.column() == status) {
                return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
            }
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return {};
    }
}

QVariant TransferModel::display(const TorrentSnapshot& s, int column) const {
    switch (column) {
        case name:
            return s.name;
        case size:
            return s.info ? human_size(s.wanted > 0 ? s.wanted : s.total_size) : QString();
        case progress:
            return QStringLiteral("%1%").arg(s.progress() * 100, 0, 'f', 1);
        case status:
            return status_text(s.status);
        case seeds:
            return s.seeds;
        case peers:
            return s.peers;
        case down_rate:
            return s.down_rate > 0 ? human_rate(s.down_rate) : QString();
        case up_rate:
            return s.up_rate > 0 ? human_rate(s.up_rate) : QString();
        case eta:
            return s.status == TorrentStatus::downloading ? human_duration(s.eta_seconds())
                                                          : QString();
        case ratio:
            return QString::number(s.ratio(), 'f', 2);
        // Fixed width and unambiguous in every locale, so the column never needs to grow.
        case added_on:
            return s.added_on.toString(QStringLiteral("yyyy-MM-dd hh:mm"));
        default:
            return {};
    }
}

QVariant TransferModel::sort_value(const TorrentSnapshot& s, int column) const {
    switch (column) {
        case name:
            return s.name;
        case size:
            return static_cast<qlonglong>(s.wanted > 0 ? s.wanted : s.total_size);
        case progress:
            return s.progress();
        case status:
            return static_cast<int>(s.status);
        case seeds:
            return s.seeds;
        case peers:
            return s.peers;
        case down_rate:
            return s.down_rate;
        case up_rate:
            return s.up_rate;
        case eta: {
            const double eta = s.eta_seconds();
            return eta < 0 ? 1e18 : eta;
        }
        case ratio:
            return s.ratio();
        case added_on:
            return static_cast<qlonglong>(s.added_on_secs);
        default:
            return {};
    }
}

QVariant TransferModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
        case name:
            return tr("Name");
        case size:
            return tr("Size");
        case progress:
            return tr("Progress");
        case status:
            return tr("Status");
        case seeds:
            return tr("Seeds");
        case peers:
            return tr("Peers");
        case down_rate:
            return tr("Down Speed");
        case up_rate:
            return tr("Up Speed");
        case eta:
            return tr("ETA");
        case ratio:
            return tr("Ratio");
        case added_on:
            return tr("Added On");
        default:
            return {};
    }
}

}  // namespace shoal::gui
