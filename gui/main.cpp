// shoal: the desktop client.
#include <QApplication>
#include <cstdio>
#include <cstdlib>

#include "placeholder_window.hpp"

namespace {

bool has_display() {
    return std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY") || std::getenv("QT_QPA_PLATFORM");
}

}  // namespace

int main(int argc, char** argv) {
    if (!has_display()) {
        std::puts(
            "shoal: no display found, so no window can open.\n"
            "Use the command-line client instead:\n"
            "  shoal-cli create PATH [-t TRACKER_URL]...   make a .torrent\n"
            "  shoal-cli show TORRENT_OR_MAGNET [--json]   see what it holds\n"
            "  shoal-cli verify TORRENT -d FOLDER          check data on disk\n"
            "  shoal-cli --help                            everything else");
        return 0;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Shoal"));
    QStringList arguments = QApplication::arguments();
    arguments.removeFirst();
    PlaceholderWindow window(arguments);
    window.show();
    return QApplication::exec();
}
