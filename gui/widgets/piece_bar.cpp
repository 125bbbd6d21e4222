#include "widgets/piece_bar.hpp"

#include <QPainter>

namespace shoal::gui {

PieceBar::PieceBar(QWidget* parent) : QWidget(parent) {
    setMinimumHeight(16);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void PieceBar::set_pieces(std::vector<std::uint8_t> pieces, bool exact) {
    if (pieces == pieces_ && exact == exact_)
        return;
    pieces_ = std::move(pieces);
    exact_ = exact;
    setToolTip(exact_ ? QString()
                      : tr("Only pieces verified since the torrent was added are shown"));
    update();
}

void PieceBar::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QRect r = rect().adjusted(0, 0, -1, -1);
    const QColor empty = palette().color(QPalette::Base);
    const QColor full(0x1f, 0x5f, 0x8b);
    p.fillRect(r, empty);
    const int width = r.width();
    if (!pieces_.empty() && width > 0) {
        const double per_px = static_cast<double>(pieces_.size()) / width;
        for (int x = 0; x < width; ++x) {
            auto first = static_cast<std::size_t>(x * per_px);
            auto last = std::max(first + 1, static_cast<std::size_t>((x + 1) * per_px));
            last = std::min(last, pieces_.size());
            int have = 0;
            for (std::size_t i = first; i < last; ++i)
                have += pieces_[i] ? 1 : 0;
            if (have == 0)
                continue;
            const double share = static_cast<double>(have) / static_cast<double>(last - first);
            QColor c = full;
            c.setAlphaF(static_cast<float>(0.25 + 0.75 * share));
            p.fillRect(QRect(r.left() + x, r.top(), 1, r.height()), c);
        }
    }
    p.setPen(palette().color(QPalette::Mid));
    p.drawRect(r);
}

}  // namespace shoal::gui
