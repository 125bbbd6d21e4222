#pragma once
// Draws the transfer list's progress column as a progress bar with its percentage.

#include <QStyledItemDelegate>

namespace shoal::gui {

class ProgressDelegate final : public QStyledItemDelegate {
    Q_OBJECT
  public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
};

}  // namespace shoal::gui
