#include "tracker/signal_reader.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "tracker/log.hpp"

namespace shoal::tracker {

namespace {

sigset_t handled_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    return set;
}

}  // namespace

SignalReader::SignalReader(boost::asio::io_context& io) : descriptor_(io) {
    const sigset_t set = handled_signals();
    sigset_t before;
    pthread_sigmask(SIG_BLOCK, &set, &before);
    const int fd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) {
        log_event(LogLevel::warn, "signals_unhandled", {{"error", std::strerror(errno)}});
        pthread_sigmask(SIG_SETMASK, &before, nullptr);
        return;
    }
    descriptor_.assign(fd);
}

void SignalReader::async_wait(std::function<void(const boost::system::error_code&, int)> on_signal) {
    if (!descriptor_.is_open())
        return;
    descriptor_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                           [this, on_signal = std::move(on_signal)](const boost::system::error_code& ec) mutable {
                               if (ec)
                                   return on_signal(ec, 0);
                               signalfd_siginfo info{};
                               if (::read(descriptor_.native_handle(), &info, sizeof info) != sizeof info)
                                   return async_wait(std::move(on_signal));  // taken already
                               on_signal(ec, static_cast<int>(info.ssi_signo));
                           });
}

void SignalReader::cancel() {
    boost::system::error_code ignored;
    descriptor_.cancel(ignored);
}

}  // namespace shoal::tracker
