#pragma once
// The transfer list view: sortable, with a header menu to hide columns, and the column
// layout (order, widths, hidden, sort) kept in QSettings across runs.

#include <QTreeView>

namespace shoal::gui {

class TransferView final : public QTreeView {
    Q_OBJECT
  public:
    explicit TransferView(QWidget* parent = nullptr);

    void restore_layout();
    void save_layout() const;

  protected:
    void dataChanged(const QModelIndex& top_left, const QModelIndex& bottom_right,
                     const QList<int>& roles = {}) override;

  private:
    void show_header_menu(const QPoint& pos);
};

}  // namespace shoal::gui
