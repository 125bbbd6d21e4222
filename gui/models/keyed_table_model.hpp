#pragma once
// A table whose rows are replaced by a fresh list on each refresh while views hear only what
// changed: rows that left are removed, rows that stayed are updated where they differ, new
// ones are appended. A selected peer or tracker stays selected across refreshes.

#include <QAbstractTableModel>
#include <QHash>
#include <vector>

namespace shoal::gui {

template <class Row>
class KeyedTableModel : public QAbstractTableModel {
  public:
    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex& parent = {}) const override {
        return parent.isValid() ? 0 : static_cast<int>(rows_.size());
    }
    const std::vector<Row>& rows() const { return rows_; }

  protected:
    virtual QString key_of(const Row& row) const = 0;
    virtual bool same(const Row& a, const Row& b) const = 0;

    const Row& row_at(const QModelIndex& index) const {
        return rows_[static_cast<std::size_t>(index.row())];
    }

    void replace_rows(std::vector<Row> fresh) {
        QHash<QString, std::size_t> fresh_index;
        for (std::size_t i = 0; i < fresh.size(); ++i)
            fresh_index.insert(key_of(fresh[i]), i);
        for (int i = static_cast<int>(rows_.size()) - 1; i >= 0; --i) {
            if (!fresh_index.contains(key_of(rows_[static_cast<std::size_t>(i)]))) {
                beginRemoveRows({}, i, i);
                rows_.erase(rows_.begin() + i);
                endRemoveRows();
            }
        }
        std::vector<bool> kept(fresh.size(), false);
        for (std::size_t i = 0; i < rows_.size(); ++i) {
            const std::size_t f = fresh_index.value(key_of(rows_[i]));
            kept[f] = true;
            if (!same(rows_[i], fresh[f])) {
                rows_[i] = fresh[f];
                const int row = static_cast<int>(i);
                emit dataChanged(index(row, 0), index(row, columnCount() - 1));
            }
        }
        std::vector<Row> added;
        for (std::size_t i = 0; i < fresh.size(); ++i) {
            if (!kept[i])
                added.push_back(std::move(fresh[i]));
        }
        if (added.empty())
            return;
        const int first = static_cast<int>(rows_.size());
        beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
        for (auto& r : added)
            rows_.push_back(std::move(r));
        endInsertRows();
    }

  private:
    std::vector<Row> rows_;
};

}  // namespace shoal::gui
