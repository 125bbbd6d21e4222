#pragma once
// The transfer list: one row per torrent in the engine's table, one column per figure.
// Rows change only when the engine reports them changed (once per refresh).

#include <QAbstractTableModel>

#include "engine/engine.hpp"

namespace shoal::gui {

class TransferModel final : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column {
        name,
        size,
        progress,
        status,
        seeds,
        peers,
        down_rate,
        up_rate,
        eta,
        ratio,
        added_on,
        column_count
    };
    enum Role {
        sort_role = Qt::UserRole + 1,  // the raw value, for sorting
        key_role,                      // TorrentKey::value
        status_role,                   // TorrentStatus as int
        progress_role,                 // 0..1 as double
    };

    explicit TransferModel(Engine& engine, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    TorrentKey key_at(int row) const;

  private:
    void on_changed(const QList<int>& rows);
    QVariant display(const TorrentSnapshot& s, int column) const;
    QVariant sort_value(const TorrentSnapshot& s, int column) const;

    Engine& engine_;
};

}  // namespace shoal::gui
