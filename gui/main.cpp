// shoal: the desktop client.
#include <QApplication>
#include <QMessageBox>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <system_error>

#include "app/main_window.hpp"
#include "app/resources.hpp"
#include "app/settings_store.hpp"
#include "app/single_instance.hpp"
#include "engine/session_engine.hpp"

namespace {

bool has_display() {
    return std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY") ||
           std::getenv("QT_QPA_PLATFORM");
}

// The port may be taken (another client); a free one beats not starting at all.
std::unique_ptr<shoal::gui::SessionEngine> start_engine(shoal::gui::EngineSettings settings,
                                                        QString* note) {
    try {
        return std::make_unique<shoal::gui::SessionEngine>(settings, "");
    } catch (const std::system_error& e) {
        *note = QObject::tr("Cannot listen on port %1 (%2); using a free port for this run.")
                    .arg(settings.listen_port)
                    .arg(QString::fromLocal8Bit(e.what()));
        settings.listen_port = 0;
        return std::make_unique<shoal::gui::SessionEngine>(settings, "");
    }
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
    QApplication::setOrganizationName(QStringLiteral("Shoal"));
    QApplication::setDesktopFileName(QStringLiteral("shoal"));
    QApplication::setQuitOnLastWindowClosed(true);
    shoal::gui::init_resources();
    QStringList arguments = QApplication::arguments();
    arguments.removeFirst();

    shoal::gui::SingleInstance instance(shoal::gui::SingleInstance::default_name());
    if (instance.send_to_running(arguments))
        return 0;
    instance.listen();

    QString note;
    std::unique_ptr<shoal::gui::SessionEngine> engine;
    try {
        engine = start_engine(shoal::gui::load_settings(), &note);
    } catch (const std::exception& e) {
        QMessageBox::critical(nullptr, QStringLiteral("Shoal"),
                              QObject::tr("The engine could not start: %1").arg(e.what()));
        return 1;
    }
    shoal::gui::MainWindow window(*engine);
    QObject::connect(&instance, &shoal::gui::SingleInstance::arguments_received, &window,
                     &shoal::gui::MainWindow::handle_arguments);
    window.show();
    window.restore_torrents();
    window.handle_arguments(arguments);
    if (!note.isEmpty())
        QMessageBox::warning(&window, QStringLiteral("Shoal"), note);
    return QApplication::exec();
}
