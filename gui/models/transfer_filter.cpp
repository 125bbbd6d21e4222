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
    if (filter == status_) return;
    status_ = filter;
    invalidateRowsFilter();
}

void TransferFilter::set_text_filter(const QString& text) {
    if (text == text_) return;
    text_ = text;
    invalidateRowsFilter();
}

bool TransferFilter::filterAcceptsRow(int source_row, const QModelIndex& source_parent) const {
    if (source_parent.isValid()) return false;
    const auto& rows = engine_.torrents();
    if (source_row < 0 || static_cast<std::size_t>(source_row) >= rows.size()) return false;
    const TorrentSnapshot& s = rows[static_cast<std::size_t>(source_row)];
    if (!matches(s, status_)) return false;
    return text_.isEmpty() || s.name.contains(text_, Qt::CaseInsensitive);
}

}  // namespace shoal::gui
