// shoal: the desktop client.
#include <QApplication>
#include <QStatusBar>
#include <QUrl>
#include <QMessageBox>
#include <QPushButton>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <system_error>

#include "app/main_window.hpp"
#include "app/quit_on_signals.hpp"
#include "app/resources.hpp"
#include "app/settings_store.hpp"
#include "app/single_instance.hpp"
#include "dialogs/connect_dialog.hpp"
#include "dialogs/preferences_dialog.hpp"
#include "engine/remote_engine.hpp"
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

// Which engine the window shows: this computer's session, or a daemon's (url not empty).
struct Target {
    QString url;
    QString user;
    QString password;  // in memory only
};

// Takes --connect URL (or --connect=URL) and --user NAME out of the arguments; an error
// message when they are malformed.
QString take_connection_arguments(QStringList& arguments, Target& target) {
    for (int i = 0; i < arguments.size();) {
        const QString a = arguments[i];
        QString* into = nullptr;
        QString value;
        if (a == QLatin1String("--connect") || a == QLatin1String("--user")) {
            if (i + 1 >= arguments.size())
                return QObject::tr("%1 needs a value").arg(a);
            into = a == QLatin1String("--connect") ? &target.url : &target.user;
            value = arguments[i + 1];
            arguments.remove(i, 2);
        } else if (a.startsWith(QLatin1String("--connect=")) || a.startsWith(QLatin1String("--user="))) {
            into = a.startsWith(QLatin1String("--connect=")) ? &target.url : &target.user;
            value = a.section(QLatin1Char('='), 1);
            arguments.remove(i);
        } else {
            ++i;
            continue;
        }
        *into = value;
    }
    if (target.url.isEmpty())
        return {};
    const QUrl url(target.url, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return QObject::tr("'%1' is not a daemon address; use http://HOST:PORT or "
                           "http://HOST:PORT/transmission/rpc").arg(target.url);
    if (target.user.isEmpty())
        target.user = url.userName();
    if (target.password.isEmpty())
        target.password = url.password();
    // The URL kept and shown carries no credentials.
    QUrl clean = url;
    clean.setUserInfo({});
    target.url = clean.toString();
    return {};
}

// This computer's session, or nothing when the user gave up.
std::unique_ptr<shoal::gui::SessionEngine> start_local(QString* note) {
    std::unique_ptr<shoal::gui::SessionEngine> engine;
    shoal::gui::EngineSettings settings = shoal::gui::load_settings();
    while (!engine) {
        try {
            engine = start_engine(settings, note);
        } catch (const std::exception& e) {
            const QString error = QString::fromLocal8Bit(e.what());
            if (!settings.network_interface.isEmpty()) {
                if (ask_about_interface(settings, error) == Retry::quit)
                    return nullptr;
                continue;
            }
            QMessageBox::critical(nullptr, QStringLiteral("Shoal"),
                                  QObject::tr("The engine could not start: %1").arg(error));
            return nullptr;
        }
    }
    return engine;
}

void show_daemon_state(QMainWindow& window, const shoal::gui::RemoteEngine& remote) {
    window.setWindowTitle(remote.connected()
                              ? QObject::tr("Shoal — daemon at %1").arg(remote.daemon_name())
                              : QObject::tr("Shoal — daemon at %1 (not connected)")
                                    .arg(remote.daemon_name()));
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
    shoal::gui::QuitOnSignals quit_on_signals;
    QStringList arguments = QApplication::arguments();
    arguments.removeFirst();
    Target target;
    if (const QString error = take_connection_arguments(arguments, target); !error.isEmpty()) {
        std::fprintf(stderr, "shoal: %s\n", error.toLocal8Bit().constData());
        return 2;
    }

    // One window per computer's session; a window on a daemon is a program of its own.
    shoal::gui::SingleInstance instance(shoal::gui::SingleInstance::default_name());
    const bool single_instance = target.url.isEmpty();
    if (single_instance) {
        if (instance.send_to_running(arguments))
            return 0;
        instance.listen();
    }

    bool first = true;
    for (;;) {
        QString note;
        std::unique_ptr<shoal::gui::Engine> engine;
        shoal::gui::RemoteEngine* remote = nullptr;
        if (target.url.isEmpty()) {
            engine = start_local(&note);
            if (!engine)
                return 1;
        } else {
            auto made = std::make_unique<shoal::gui::RemoteEngine>(QUrl(target.url), target.user,
                                                                   target.password);
            remote = made.get();
            engine = std::move(made);
            shoal::gui::remember_connection({target.url, target.user});
        }
        shoal::gui::MainWindow window(*engine);
        std::optional<Target> next;
        QObject::connect(&window, &shoal::gui::MainWindow::connect_requested, &window,
                         [&](const QString& url, const QString& user, const QString& password) {
                             Target t{url, user, password};
                             QStringList none;
                             if (const QString error = take_connection_arguments(none, t);
                                 !error.isEmpty()) {
                                 QMessageBox::warning(&window, QStringLiteral("Shoal"), error);
                                 return;
                             }
                             next = t;
                             QApplication::exit(0);
                         });
        QObject::connect(&window, &shoal::gui::MainWindow::local_session_requested, &window, [&] {
            next = Target{};
            QApplication::exit(0);
        });
        if (single_instance)
            QObject::connect(&instance, &shoal::gui::SingleInstance::arguments_received, &window,
                             &shoal::gui::MainWindow::handle_arguments);
        bool asking = false;
        bool declined = false;
        if (remote) {
            show_daemon_state(window, *remote);
            QObject::connect(remote, &shoal::gui::Engine::problem, &window,
                             [&window, remote] { show_daemon_state(window, *remote); });
            QObject::connect(remote, &shoal::gui::RemoteEngine::connection_restored, &window,
                             [&window, remote] {
                                 show_daemon_state(window, *remote);
                                 window.statusBar()->showMessage(
                                     QObject::tr("Connected to the daemon at %1")
                                         .arg(remote->daemon_name()),
                                     5000);
                             });
            // Queued: the question waits until the reply that raised it is done with.
            QObject::connect(
                remote, &shoal::gui::RemoteEngine::credentials_needed, &window,
                [&] {
                    if (asking || declined)
                        return;
                    asking = true;
                    shoal::gui::ConnectDialog dialog(shoal::gui::ConnectDialog::Mode::password,
                                                     &window);
                    dialog.set_url(target.url);
                    dialog.set_user(remote->user());
                    dialog.set_message(
                        QObject::tr("The daemon at %1 asks for a user name and password.\n%2")
                            .arg(remote->daemon_name(), remote->connection_problem()));
                    if (dialog.exec() == QDialog::Accepted) {
                        target.user = dialog.user();
                        target.password = dialog.password();
                        shoal::gui::remember_connection({target.url, target.user});
                        remote->set_credentials(target.user, target.password);
                    } else {
                        declined = true;
                    }
                    asking = false;
                },
                Qt::QueuedConnection);
        }
        window.show();
        window.restore_torrents();
        if (first)
            window.handle_arguments(arguments);
        first = false;
        if (!note.isEmpty())
            QMessageBox::warning(&window, QStringLiteral("Shoal"), note);
        const int code = QApplication::exec();
        if (!next)
            return code;
        target = *next;
    }
}
