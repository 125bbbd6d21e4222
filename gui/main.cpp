// shoal: the desktop client.
#include <QApplication>
#include <QMessageBox>
#include <QPushButton>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <system_error>

#include "app/main_window.hpp"
#include "app/resources.hpp"
#include "app/settings_store.hpp"
#include "app/single_instance.hpp"
#include "dialogs/preferences_dialog.hpp"
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

enum class Retry { same, changed, quit };

// The session could not start with its connections bound to the chosen interface (a VPN that
// is not connected, a renamed device). Nothing falls back to another route: the user tries
// again, picks another interface (saved for later runs too), or quits.
Retry ask_about_interface(shoal::gui::EngineSettings& settings, const QString& error) {
    const QString name = settings.network_interface;
    QMessageBox box(QMessageBox::Warning, QStringLiteral("Shoal"),
                    QObject::tr("Interface %1 cannot be used: no network activity.").arg(name));
    box.setInformativeText(
        QObject::tr("Shoal is set to send everything through the network interface %1 alone, and "
                    "it cannot bind to it (%2). Nothing has been started, and nothing goes out by "
                    "another route.\n\nConnect %1 (a VPN, say) and try again, or choose another "
                    "interface.")
            .arg(name, error));
    QPushButton* again = box.addButton(QObject::tr("Try Again"), QMessageBox::AcceptRole);
    QPushButton* choose = box.addButton(QObject::tr("Choose Interface…"), QMessageBox::ActionRole);
    box.addButton(QObject::tr("Quit"), QMessageBox::RejectRole);
    box.setDefaultButton(again);
    box.exec();
    if (box.clickedButton() == again)
        return Retry::same;
    if (box.clickedButton() != choose)
        return Retry::quit;
    const auto chosen = shoal::gui::ask_network_interface(
        name, QObject::tr("Every connection will go through the interface chosen here alone. "
                          "\"Any interface\" lets the system pick the route, as most programs do."));
    if (!chosen)
        return Retry::same;  // back to the question
    settings.network_interface = *chosen;
    shoal::gui::save_settings(settings);
    return Retry::changed;
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
    shoal::gui::EngineSettings settings = shoal::gui::load_settings();
    while (!engine) {
        try {
            engine = start_engine(settings, &note);
        } catch (const std::exception& e) {
            const QString error = QString::fromLocal8Bit(e.what());
            if (!settings.network_interface.isEmpty()) {
                if (ask_about_interface(settings, error) == Retry::quit)
                    return 1;
                continue;
            }
            QMessageBox::critical(nullptr, QStringLiteral("Shoal"),
                                  QObject::tr("The engine could not start: %1").arg(error));
            return 1;
        }
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
