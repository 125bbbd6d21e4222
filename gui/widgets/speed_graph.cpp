#include "widgets/speed_graph.hpp"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>

#include "engine/engine.hpp"

namespace shoal::gui {
namespace {

const QColor k_down(0x1f, 0x7a, 0xc4);
const QColor k_up(0x2e, 0x9e, 0x5b);

}  // namespace

SpeedGraph::SpeedGraph(QWidget* parent) : QWidget(parent) {
    setMinimumHeight(100);
}

void SpeedGraph::add_sample(double down, double up) {
    down_.push_back(down);
    up_.push_back(up);
    while (down_.size() > k_samples) {
        down_.pop_front();
        up_.pop_front();
    }
    update();
}

void SpeedGraph::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QFontMetrics fm = fontMetrics();
    const int left = fm.horizontalAdvance(QStringLiteral("000.0 MiB/s")) + 8;
    const QRect plot = rect().adjusted(left, fm.height() + 6, -8, -fm.height() - 4);
    p.fillRect(rect(), palette().color(QPalette::Base));
    if (plot.width() < 10 || plot.height() < 10)
        return;

    double top = 1024;
    for (double v : down_)
        top = std::max(top, v);
    for (double v : up_)
        top = std::max(top, v);
    // A round top (1, 2 or 5 times a power of 1024 or 10) keeps the axis labels readable.
    double unit = 1;
    while (top / unit >= 1024)
        unit *= 1024;
    double nice = 1;
    while (nice * unit < top)
        nice = nice < 2 ? 2 : nice < 5 ? 5 : nice < 10 ? 10 : nice * 2;
    top = nice * unit;

    p.setPen(QPen(palette().color(QPalette::Mid), 1, Qt::DotLine));
    for (int i = 0; i <= 4; ++i) {
        const int y = plot.bottom() - plot.height() * i / 4;
        p.drawLine(plot.left(), y, plot.right(), y);
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QRect(0, y - fm.height() / 2, left - 6, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter, human_rate(top * i / 4));
        p.setPen(QPen(palette().color(QPalette::Mid), 1, Qt::DotLine));
    }
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QRect(plot.left(), plot.bottom() + 2, plot.width(), fm.height()), Qt::AlignLeft,
               tr("5 minutes ago"));
    p.drawText(QRect(plot.left(), plot.bottom() + 2, plot.width(), fm.height()), Qt::AlignRight,
               tr("now"));

    auto draw = [&](const std::deque<double>& samples, const QColor& color) {
        if (samples.size() < 2)
            return;
        QPainterPath path;
        const double dx = static_cast<double>(plot.width()) / (k_samples - 1);
        const double x0 = plot.right() - dx * static_cast<double>(samples.size() - 1);
        for (std::size_t i = 0; i < samples.size(); ++i) {
            const QPointF pt(x0 + dx * static_cast<double>(i),
                             plot.bottom() - samples[i] / top * plot.height());
            if (i == 0) {
                path.moveTo(pt);
            } else {
                path.lineTo(pt);
            }
        }
        p.setPen(QPen(color, 2));
        p.drawPath(path);
    };
    draw(down_, k_down);
    draw(up_, k_up);

    // Legend, top left of the plot.
    int x = plot.left();
    for (auto [color, label] : {std::pair{k_down, tr("Download (all torrents)")},
                                std::pair{k_up, tr("Upload (all torrents)")}}) {
        p.fillRect(QRect(x, 3, 12, fm.height() - 4), color);
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QPoint(x + 16, fm.ascent() + 1), label);
        x += 16 + fm.horizontalAdvance(label) + 16;
    }
}

}  // namespace shoal::gui
