#include "placeholder_window.hpp"

#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

PlaceholderWindow::PlaceholderWindow(const QStringList& arguments, QWidget* parent)
    : QWidget(parent) {
    setWindowTitle(tr("Shoal"));
    auto* layout = new QVBoxLayout(this);
    auto* title = new QLabel(tr("<h2>Shoal</h2>"));
    auto* body = new QLabel(tr(
        "The desktop transfer window is not built yet.<br>"
        "Today Shoal works from a terminal:<br><br>"
        "<tt>shoal-cli create PATH</tt> &nbsp; make a .torrent (hybrid v1+v2)<br>"
        "<tt>shoal-cli show TORRENT_OR_MAGNET</tt> &nbsp; see what it holds<br>"
        "<tt>shoal-cli verify TORRENT -d FOLDER</tt> &nbsp; check data on disk"));
    body->setTextFormat(Qt::RichText);
    layout->addWidget(title);
    layout->addWidget(body);
    if (!arguments.isEmpty()) {
        auto* args = new QLabel(tr("Asked to open: %1").arg(arguments.join(QStringLiteral(", "))));
        args->setWordWrap(true);
        layout->addWidget(args);
    }
    auto* quit = new QPushButton(tr("Quit"));
    connect(quit, &QPushButton::clicked, this, &QWidget::close);
    layout->addWidget(quit, 0, Qt::AlignRight);
}
