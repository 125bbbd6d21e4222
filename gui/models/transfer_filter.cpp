#include "models/transfer_filter.hpp"

#include "models/transfer_model.hpp"

namespace shoal::gui {

TransferFilter::TransferFilter(Engine& engine, QObject* parent)
    : QSortFilterProxyModel(parent), engine_(engine) {
    setSortRole(TransferModel::sort_role);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setDynamicSortFilter(true);
}

void TransferFilter::set_status_filter(StatusFilter filter) {
    if (filter == status_)
        return;
    status_ = filter;
    invalidateRowsFilter();
}

void TransferFilter::set_text_filter(const QString& text) {
    if (text == text_)
        return;
    text_ = text;
    invalidateRowsFilter();
}

bool TransferFilter::lessThan(const QModelIndex& left, const QModelIndex& right) const {
    const auto& rows = engine_.torrents();
    const TorrentSnapshot& a = rows[static_cast<std::size_t>(left.row())];
    const TorrentSnapshot& b = rows[static_cast<std::size_t>(right.row())];
    auto size = [](const TorrentSnapshot& s) { return s.wanted > 0 ? s.wanted : s.total_size; };
    auto eta = [](const TorrentSnapshot& s) {
        const double e = s.eta_seconds();
        return e < 0 ? 1e18 : e;
    };
    // Ties fall back to the order added, so equal rows keep a stable place.
    auto by = [&](auto x, auto y) { return x != y ? x < y : a.key.value < b.key.value; };
    switch (left.column()) {
        case TransferModel::name: {
            const int c = a.name.compare(b.name, Qt::CaseInsensitive);
            return c != 0 ? c < 0 : a.key.value < b.key.value;
        }
        case TransferModel::size:
            return by(size(a), size(b));
        case TransferModel::progress:
            return by(a.progress(), b.progress());
        case TransferModel::status:
            return by(static_cast<int>(a.status), static_cast<int>(b.status));
        case TransferModel::seeds:
            return by(a.seeds, b.seeds);
        case TransferModel::peers:
            return by(a.peers, b.peers);
        case TransferModel::down_rate:
            return by(a.down_rate, b.down_rate);
        case TransferModel::up_rate:
            return by(a.up_rate, b.up_rate);
        case TransferModel::eta:
            return by(eta(a), eta(b));
        case TransferModel::ratio:
            return by(a.ratio(), b.ratio());
        case TransferModel::added_on:
            return by(a.added_on_secs, b.added_on_secs);
        default:
            return by(0, 0);
    }
}

bool TransferFilter::filterAcceptsRow(int source_row, const QModelIndex& source_parent) const {
    if (source_parent.isValid())
        return false;
    const auto& rows = engine_.torrents();
    if (source_row < 0 || static_cast<std::size_t>(source_row) >= rows.size())
        return false;
    const TorrentSnapshot& s = rows[static_cast<std::size_t>(source_row)];
    if (!matches(s, status_))
        return false;
    return text_.isEmpty() || s.name.contains(text_, Qt::CaseInsensitive);
}

}  // namespace shoal::gui
