// shoald: a BitTorrent daemon controlled through Transmission's RPC.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/core.h>
#include <fcntl.h>
#include <malloc.h>  // mallopt
#include <openssl/crypto.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <stdexcept>

#include "cli/exit_codes.hpp"
#include "cli/version.hpp"
#include "control/controller.hpp"
#include "daemon/config_reload.hpp"
#include "daemon/daemon_config.hpp"
#include "daemon/event_log.hpp"
#include "daemon/log.hpp"
#include "daemon/memory_release.hpp"
#include "daemon/password_files.hpp"
#include "daemon/password_hash.hpp"
#include "daemon/rpc_http.hpp"
#include "daemon/rpc_methods.hpp"
#include "daemon/torrent_fetch.hpp"
#include "daemon/watch_folder.hpp"

namespace {

using namespace shoal;
using namespace shoal::cli;

// Reads a password from standard input and prints its hash, for rpc_password.
int print_password_hash(const daemon::Log& log) {
    auto password = daemon::read_password_line(std::cin, "standard input");
    if (!password) {
        log.error(password.error().message);
        return k_exit_usage;
    }
    fmt::print("{}\n", daemon::to_text(daemon::hash_password(*password)));
    OPENSSL_cleanse(password->data(), password->size());
    return k_exit_ok;
}

// In the background: the parent waits until the child listens (or fails, saying why on the
// same stderr) and exits with the child's start-up code, so a failed start is seen.
class Background {
public:
    // Returns in the child; the parent exits from here.
    void detach() {
        int fds[2];
        if (::pipe(fds) != 0) throw std::runtime_error("cannot make a pipe to go into the background");
        const pid_t pid = ::fork();
        if (pid < 0) throw std::runtime_error("cannot go into the background");
        if (pid > 0) {
            ::close(fds[1]);
            unsigned char code = k_exit_io;
            const bool told = ::read(fds[0], &code, 1) == 1;
            std::_Exit(told ? code : k_exit_io);
        }
        ::close(fds[0]);
        ::setsid();
        ready_fd_ = fds[1];
    }

    // The start-up outcome; after a good start the standard streams go to /dev/null.
    int started(int code) {
        if (ready_fd_ < 0) return code;
        if (code == k_exit_ok) {
            const int null = ::open("/dev/null", O_RDWR);
            if (null >= 0) {
                for (int fd : {0, 1, 2}) ::dup2(null, fd);
                if (null > 2) ::close(null);
            }
        }
        const auto byte = static_cast<unsigned char>(code);
        (void)!::write(ready_fd_, &byte, 1);
        ::close(ready_fd_);
        ready_fd_ = -1;
        return code;
    }

private:
    int ready_fd_ = -1;
};

int run(const std::vector<std::string>& args, daemon::DaemonSettings settings, daemon::Log& log) {
    const daemon::DaemonOptions& options = settings.options;
    daemon::DaemonSetup& setup = settings.setup;
    Background background;
    if (!options.foreground) background.detach();
    std::signal(SIGPIPE, SIG_IGN);
    boost::asio::io_context io;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    boost::asio::signal_set hangups(io, SIGHUP);
    std::optional<control::Controller> controller;
    try {
        controller.emplace(setup.control);
    } catch (const std::exception& e) {
        log.error(e.what());
        return background.started(k_exit_network);
    }
    daemon::MemoryRelease memory_release;

    setup.access.session_id = daemon::make_session_id();
    setup.access.refused = [&log](const daemon::Refusal& refusal, const boost::asio::ip::address& client) {
        daemon::log_refusal(log, refusal, client);
    };
    daemon::DaemonFacts facts = daemon::daemon_facts(setup);
    facts.version = std::string("Shoal ") + k_version;
    facts.session_id = setup.access.session_id;
    daemon::RpcMethods methods(*controller, facts);
    // The interface waits for a restart to change (setting_changes), so the start's is the one.
    methods.set_torrent_fetch(
        daemon::make_torrent_fetch(io, net::SocketBinding{setup.control.session.network_interface, std::nullopt}));
    auto log_problems = [&] {
        for (const auto& problem : methods.take_problems()) log.warning(problem);
    };
    log_problems();
    // The RPC answers from the start; the torrents come back in steps meanwhile (below).
    methods.set_restoring(true);
    std::optional<daemon::RpcServer> server;
    try {
        server.emplace(io, setup.rpc_bind, setup.access,
                       [&](std::string_view body, std::function<void(std::string)> reply) {
                           methods.handle(body, std::move(reply));
                       });
    } catch (const std::exception& e) {
        log.error("cannot listen for RPC at " + options.rpc_bind + ": " + e.what());
        controller->stop();
        return background.started(k_exit_network);
    }
    log.info("listening for peers on " + controller->listening_on() + ", for RPC on " + options.rpc_bind);
    background.started(k_exit_ok);
    // Always running once the torrents are back, so that a reload may start watching.
    daemon::WatchFolder watch(io, *controller, {setup.watch_dir, setup.download_dir, setup.incomplete_dir},
                              [&log](bool added, const std::string& message) {
                                  log.write(added ? daemon::LogLevel::info : daemon::LogLevel::warning, message);
                              });
    // The saved torrents come back a few hundred at a time, with the RPC answered in between
    // (what changes something waits for the end); a stop meanwhile leaves the rest on disk.
    constexpr std::size_t k_restored_per_step = 200;
    std::vector<Error> restore_problems;
    controller->begin_restore(restore_problems);
    std::function<void()> restore_step = [&] {
        const bool done = controller->restore_some(k_restored_per_step, restore_problems);
        for (const auto& problem : restore_problems) log.error(problem.message);
        restore_problems.clear();
        if (!done) return boost::asio::post(io, restore_step);
        memory_release.look();
        methods.set_restoring(false);
        watch.start();
    };
    boost::asio::post(io, restore_step);
    daemon::ConfigReload reload(args, settings,
                                {[&](const daemon::DaemonFacts& read) {
                                     methods.config_changed(read);
                                     log_problems();
                                 },
                                 [&](daemon::RpcAccess access) {
                                     access.refused = setup.access.refused;
                                     server->set_access(std::move(access));
                                 },
                                 [&](const std::filesystem::path& dir) {
                                     watch.set_settings({dir, setup.download_dir, setup.incomplete_dir});
                                 },
                                 log});
    std::function<void()> await_hangup = [&] {
        hangups.async_wait([&](boost::system::error_code ec, int) {
            if (ec) return;
            log.info("SIGHUP: reading the settings again");
            reload.reload();
            await_hangup();
        });
    };
    await_hangup();

    // The network thread wakes this one; polls run here, as the RPC methods do.
    daemon::EventLog events(log);
    std::atomic<bool> poll_posted{false};
    auto poll = [&] {
        poll_posted = false;
        events.report(controller->poll(), *controller);
    };
    controller->set_wakeup([&] {
        if (!poll_posted.exchange(true)) boost::asio::post(io, poll);
    });
    // Seed times are measured between events too, and the alternative speeds' schedule is
    // looked at.
    boost::asio::steady_timer tick(io);
    std::function<void()> schedule = [&] {
        tick.expires_after(std::chrono::seconds(1));
        tick.async_wait([&](boost::system::error_code ec) {
            if (ec) return;
            poll();
            methods.follow_schedule(daemon::local_minute_now());
            log_problems();
            memory_release.look();
            schedule();
        });
    };
    methods.follow_schedule(daemon::local_minute_now());
    schedule();

    // SIGINT, SIGTERM and the RPC's session-close stop alike (after session-close's answer).
    auto stop = [&](const char* why) {
        log.info(std::string("stopping (") + why + ")");
        server->stop();
        watch.stop();
        hangups.cancel();
        tick.cancel();
        io.stop();
    };
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (!ec) stop("signal");
    });
    // The answer to session-close is on its way out when the handler returns: give it a moment.
    boost::asio::steady_timer closing(io);
    methods.on_close([&] {
        closing.expires_after(std::chrono::milliseconds(200));
        closing.async_wait([&](boost::system::error_code ec) {
            if (!ec) stop("session-close");
        });
    });
    io.run();
    controller->set_wakeup([] {});
    controller->stop();
    events.report(controller->poll(), *controller);
    return k_exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace shoal;
    // One malloc arena for every thread. glibc gives each thread that allocates its own, and
    // memory freed in one cannot serve another: a service that runs for months with a network
    // thread, disk threads and the RPC thread kept several mostly idle arenas resident
    // (10,000 torrents: 97 MiB resident with per-thread arenas, 88 MiB with one). Small
    // allocations still go through each thread's cache without the arena's lock. Before any
    // thread starts.
    mallopt(M_ARENA_MAX, 1);
    // Blocks of 128 KiB and more in their own mappings, given back to the system as soon as
    // they are freed. glibc otherwise raises this threshold to the size of each such block
    // freed, so that the start-up's large temporary vectors (the records read, the session's
    // queued events, a torrent list's answer) end up in the heap, where what is freed around
    // the blocks still in use stays resident (10,000 torrents: 52 MiB resident once all seed,
    // 47 MiB with the threshold fixed). Fixing it also keeps the heap's top trimmed past 128 KiB.
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    daemon::Log log;
    try {
        const std::vector<std::string> args(argv + 1, argv + argc);
        daemon::DaemonOptions options;
        {
            // The parser's copy of a password on the command line goes with it.
            CLI::App app("shoald: a BitTorrent daemon controlled through Transmission's RPC", "shoald");
            app.set_version_flag("--version", std::string("shoald ") + cli::k_version);
            daemon::add_daemon_options(app, options);
            try {
                auto parsed = daemon::parse_command_line(app, args);
                if (!parsed) {
                    log.error(parsed.error().message);
                    return cli::k_exit_usage;
                }
            } catch (const CLI::ParseError& e) {
                if (e.get_exit_code() == 0) return app.exit(e);
                log.error(std::string(e.what()) + " (see shoald --help)");
                return cli::k_exit_usage;
            }
        }
        if (options.hash_password) return print_password_hash(log);
        auto setup = daemon::daemon_setup(options);
        OPENSSL_cleanse(options.rpc_password.data(), options.rpc_password.size());
        options.rpc_password.clear();
        if (!setup) {
            log.error(setup.error().message);
            return cli::k_exit_usage;
        }
        if (options.print_config) {
            fmt::print("{}", daemon::effective_config(options, *setup));
            return cli::k_exit_ok;
        }
        log.set_level(setup->log_level);
        if (!options.config.empty()) daemon::protect_config_password(options.config, setup->access.password, log);
        return run(args, {std::move(options), std::move(*setup)}, log);
    } catch (const std::exception& e) {
        log.error(e.what());
        return cli::k_exit_io;
    }
}
