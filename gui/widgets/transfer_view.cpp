#include "widgets/transfer_view.hpp"

#include <QHeaderView>
#include <QMenu>
#include <QSettings>

#include "models/transfer_model.hpp"
#include "widgets/progress_delegate.hpp"

namespace shoal::gui {
namespace {
const char* k_layout_key = "transfer_list/header";
}

TransferView::TransferView(QWidget* parent) : QTreeView(parent) {
    setRootIsDecorated(false);
    setUniformRowHeights(true);  // lets the view skip measuring 10,000 rows
    setSortingEnabled(true);
    setAlternatingRowColors(true);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setContextMenuPolicy(Qt::CustomContextMenu);
    setItemDelegateForColumn(TransferModel::progress, new ProgressDelegate(this));
    header()->setContextMenuPolicy(Qt::CustomContextMenu);
    header()->setStretchLastSection(false);
    header()->setSectionsMovable(true);
    connect(header(), &QHeaderView::customContextMenuRequested, this,
            &TransferView::show_header_menu);
}

void TransferView::restore_layout() {
    QHeaderView* h = header();
    h->resizeSection(TransferModel::name, 260);
    h->resizeSection(TransferModel::size, 80);
    h->resizeSection(TransferModel::progress, 110);
    h->resizeSection(TransferModel::status, 100);
    h->resizeSection(TransferModel::seeds, 55);
    h->resizeSection(TransferModel::peers, 55);
    h->resizeSection(TransferModel::down_rate, 95);
    h->resizeSection(TransferModel::up_rate, 95);
    h->resizeSection(TransferModel::eta, 70);
    h->resizeSection(TransferModel::ratio, 55);
    h->resizeSection(TransferModel::added_on, 130);
    sortByColumn(TransferModel::added_on, Qt::AscendingOrder);
    const QByteArray state = QSettings().value(k_layout_key).toByteArray();
    if (!state.isEmpty())
        h->restoreState(state);
}

void TransferView::save_layout() const {
    QSettings().setValue(k_layout_key, header()->saveState());
}

void TransferView::dataChanged(const QModelIndex& top_left, const QModelIndex& bottom_right,
                               const QList<int>& roles) {
    // The base class unites the rectangle of every changed cell to find what to repaint,
    // which for thousands of rows per refresh costs more than repainting the viewport.
    // Nothing here is edited in place, so there are no editors to update either.
    if (bottom_right.row() - top_left.row() > 64) {
        viewport()->update();
        return;
    }
    QTreeView::dataChanged(top_left, bottom_right, roles);
}

void TransferView::show_header_menu(const QPoint& pos) {
    QMenu menu(this);
    QHeaderView* h = header();
    for (int c = 0; c < h->count(); ++c) {
        QAction* a = menu.addAction(model()->headerData(c, Qt::Horizontal).toString());
        a->setCheckable(true);
        a->setChecked(!h->isSectionHidden(c));
        // The name column identifies the row; it stays.
        a->setEnabled(c != TransferModel::name);
        connect(a, &QAction::toggled, this, [h, c](bool on) { h->setSectionHidden(c, !on); });
    }
    menu.exec(h->mapToGlobal(pos));
}

}  // namespace shoal::gui
