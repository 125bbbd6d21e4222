#include "app/quit_on_signals.hpp"

#include <QCoreApplication>
#include <QSocketNotifier>

#include <array>
#include <cerrno>
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace shoal::gui {

namespace {

constexpr std::array k_signals{SIGTERM, SIGINT, SIGHUP};
volatile std::sig_atomic_t write_end = -1;

void on_signal(int signal) {
    const int saved_errno = errno;
    const char byte = static_cast<char>(signal);
    // Async-signal-safe; a full socket already holds a wake-up, so a failed write loses nothing.
    if (write_end >= 0)
        (void)::write(write_end, &byte, 1);
    errno = saved_errno;
}

}  // namespace

QuitOnSignals::QuitOnSignals(QObject* parent) : QObject(parent) {
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sockets_) != 0)
        return;  // the default actions stay: the process ends without saving
    write_end = sockets_[0];
    notifier_ = new QSocketNotifier(sockets_[1], QSocketNotifier::Read, this);
    connect(notifier_, &QSocketNotifier::activated, this, [this] {
        char bytes[16];
        while (::read(sockets_[1], bytes, sizeof bytes) > 0) {
        }
        QCoreApplication::quit();
    });
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    // A second one of the same signal takes its default action: a shutdown that hangs can
    // still be ended with another Ctrl-C.
    action.sa_flags = SA_RESTART | SA_RESETHAND;
    for (int s : k_signals)
        ::sigaction(s, &action, nullptr);
}

QuitOnSignals::~QuitOnSignals() {
    if (sockets_[0] < 0)
        return;
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    for (int s : k_signals)
        ::sigaction(s, &action, nullptr);
    write_end = -1;
    delete notifier_;
    ::close(sockets_[0]);
    ::close(sockets_[1]);
}

}  // namespace shoal::gui
