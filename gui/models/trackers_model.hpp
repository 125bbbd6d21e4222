#pragma once
// Trackers of the selected torrent with what each last answered.

#include "engine/engine.hpp"
#include "models/keyed_table_model.hpp"

namespace shoal::gui {

class TrackersModel final : public KeyedTableModel<TrackerSnapshot> {
    Q_OBJECT
  public:
    enum Column { tier, url, status, peers, message, next_announce, column_count };

    using KeyedTableModel::KeyedTableModel;
    void set_trackers(std::vector<TrackerSnapshot> trackers) { replace_rows(std::move(trackers)); }
    QString url_at(int row) const;

    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  protected:
    QString key_of(const TrackerSnapshot& t) const override { return t.url; }
    bool same(const TrackerSnapshot& a, const TrackerSnapshot& b) const override;
};

}  // namespace shoal::gui
