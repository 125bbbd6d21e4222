#pragma once
// Peers of the selected torrent.

#include "engine/engine.hpp"
#include "models/keyed_table_model.hpp"

namespace shoal::gui {

class PeersModel final : public KeyedTableModel<PeerSnapshot> {
    Q_OBJECT
  public:
    enum Column { address, client, flags, progress, down_rate, up_rate, column_count };

    using KeyedTableModel::KeyedTableModel;
    void set_peers(std::vector<PeerSnapshot> peers) { replace_rows(std::move(peers)); }

    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  protected:
    QString key_of(const PeerSnapshot& p) const override { return p.address; }
    bool same(const PeerSnapshot& a, const PeerSnapshot& b) const override;
};

}  // namespace shoal::gui
