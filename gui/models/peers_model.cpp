#include "models/peers_model.hpp"

namespace shoal::gui {
namespace {

// The engine may not know a figure yet; a dash says so rather than a made-up zero.
QString or_dash(double value, const QString& text) {
    return value < 0 ? QStringLiteral("–") : text;
}

}  // namespace

int PeersModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : column_count;
}

bool PeersModel::same(const PeerSnapshot& a, const PeerSnapshot& b) const {
    return a.client == b.client && a.flags == b.flags && a.progress == b.progress &&
           a.down_rate == b.down_rate && a.up_rate == b.up_rate;
}

QVariant PeersModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const PeerSnapshot& p = row_at(index);
    if (role == Qt::TextAlignmentRole && index.column() >= progress) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
        case address:
            return p.address;
        case client:
            return p.client;
        case flags:
            return p.flags;
        case progress:
            return or_dash(p.progress, QStringLiteral("%1%").arg(p.progress * 100, 0, 'f', 1));
        case down_rate:
            return or_dash(p.down_rate, human_rate(p.down_rate));
        case up_rate:
            return or_dash(p.up_rate, human_rate(p.up_rate));
        default:
            return {};
    }
}

QVariant PeersModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole && section == flags)
        return tr("D/d: downloading from it (d: choked), U/u: uploading to it (u: choked), "
                  "S: snubbed, I: it connected to us, E: encrypted, e: encrypted handshake only, P: over uTP");
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
        case address:
            return tr("Address");
        case client:
            return tr("Client");
        case flags:
            return tr("Flags");
        case progress:
            return tr("Progress");
        case down_rate:
            return tr("Down Speed");
        case up_rate:
            return tr("Up Speed");
        default:
            return {};
    }
}

}  // namespace shoal::gui
