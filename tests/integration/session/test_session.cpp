// Session API end to end: pause and resume, recheck, file priorities, rate limits, removal
// with data, moving the data. Two in-process sessions on 127.0.0.1 and 127.0.0.2 (run in a private network
// namespace by ctest).
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "creation/create_torrent.hpp"
#include "session/session.hpp"
#include "test_files.hpp"

namespace fs = std::filesystem;
using namespace shoal;
using namespace std::chrono_literals;
using test::read_file;
using test::TempDir;
using test::write_file;

namespace {

// Collects a session's events and waits for one that matches. The events before the match
// are passed over; those read with it but queued after it are kept for the next wait (a
// session queues several at once: "downloading" and "finished" can come within milliseconds).
class Events {
public:
    explicit Events(Session& s) : session_(s) {
        s.set_wakeup([this] { wake_.notify_all(); });
    }
    ~Events() { session_.set_wakeup({}); }

    template <class T>
    std::optional<T> wait_for(std::chrono::seconds timeout, std::function<bool(const T&)> match = {}) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            for (auto& e : session_.pop_events())
                unread_.push_back(std::move(e));
            while (!unread_.empty()) {
                const Event e = std::move(unread_.front());
                unread_.pop_front();
                if (auto* s = std::get_if<event::Stats>(&e))
                    last_stats_ = s->stats;
                if (auto* t = std::get_if<T>(&e); t && (!match || match(*t)))
                    return *t;
            }
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, 100ms);
        }
        return std::nullopt;
    }
    const TorrentStats& last_stats() const { return last_stats_; }

private:
    Session& session_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Event> unread_;
    TorrentStats last_stats_;
};

SessionSettings on(const std::string& address) {
    SessionSettings s;
    s.listen_host = address;
    s.listen_port = 0;
    s.enable_dht = false;
    s.enable_lsd = false;
    return s;
}

// A seed on 127.0.0.1 sharing a folder `set` of files, and a leech session on 127.0.0.2.
struct Swarm : ::testing::Test {
    TempDir dir;
    fs::path data = dir.path() / "data";
    fs::path out = dir.path() / "out";
    std::shared_ptr<const TorrentInfo> info;
    // Declared in this order so the event watcher goes before the session it watches.
    std::optional<Session> seed;
    std::optional<Session> leech;
    std::optional<Events> events;
    SessionSettings seed_settings = on("127.0.0.1");
    SessionSettings leech_settings = on("127.0.0.2");

    void start(std::vector<std::size_t> sizes) {
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            write_file(data / "set" / ("f" + std::to_string(i)), sizes[i], static_cast<unsigned>(i + 1));
        }
        CreateOptions o;
        o.piece_length = 64 * 1024;
        auto created = create_torrent(data / "set", o);
        ASSERT_TRUE(created) << created.error().message;
        info = std::make_shared<const TorrentInfo>(created->info);
        seed.emplace(seed_settings);
        AddTorrentParams p;
        p.info = info;
        p.save_dir = data;
        seed->add_torrent(p);
        leech.emplace(leech_settings);
        events.emplace(*leech);
    }

    // What the leech adds: the torrent, saved to `out`, with the seed as its peer.
    AddTorrentParams leech_params() {
        AddTorrentParams p;
        p.info = info;
        p.save_dir = out;
        p.peers = {{boost::asio::ip::make_address("127.0.0.1"), seed->listen_port()}};
        return p;
    }

    std::size_t file_index(const std::string& path) const {
        for (std::size_t i = 0; i < info->files.size(); ++i) {
            if (info->files[i].joined_path() == path) return i;
        }
        return info->files.size();
    }

    bool same(const std::string& name) { return read_file(data / "set" / name) == read_file(out / "set" / name); }
};

}  // namespace

// A reader that starts listening after events were queued (the desktop client sets its
// wake-up once the session runs, and the DHT may speak first) is woken at once: the wake-up
// fires on the queue's empty-to-not-empty edge, so without that the reader never hears again.
TEST(SessionEvents, WakeupSetAfterEventsQueuedFiresAtOnce) {
    TempDir dir;
    write_file(dir.path() / "data" / "f", 100'000, 3);
    auto created = create_torrent(dir.path() / "data" / "f", {});
    ASSERT_TRUE(created) << created.error().message;
    Session session(on("127.0.0.1"));
    std::mutex mutex;
    std::condition_variable wake;
    int first = 0;
    session.set_wakeup([&] {
        std::lock_guard lock(mutex);
        ++first;
        wake.notify_all();
    });
    AddTorrentParams p;
    p.info = std::make_shared<const TorrentInfo>(created->info);
    p.save_dir = dir.path() / "out";
    session.add_torrent(p);
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(wake.wait_for(lock, 10s, [&] { return first > 0; })) << "no event at all";
    }
    // Events are queued and nobody popped them: a new reader must hear of them now.
    int second = 0;
    session.set_wakeup([&] {
        std::lock_guard lock(mutex);
        ++second;
        wake.notify_all();
    });
    std::unique_lock lock(mutex);
    EXPECT_TRUE(wake.wait_for(lock, 5s, [&] { return second > 0; }));
    lock.unlock();
    session.set_wakeup({});
}

// Two events the session queued together are both seen by two waits in turn: the first wait
// leaves the event queued after its match for the second.
TEST(SessionEvents, AWaitKeepsTheEventsQueuedAfterItsMatch) {
    TempDir dir;
    write_file(dir.path() / "data" / "f", 100'000, 3);
    auto created = create_torrent(dir.path() / "data" / "f", {});
    ASSERT_TRUE(created) << created.error().message;
    Session session(on("127.0.0.1"));
    Events events(session);
    AddTorrentParams p;
    p.info = std::make_shared<const TorrentInfo>(created->info);
    p.save_dir = dir.path() / "out";
    session.add_torrent(p);
    // Nothing to check: "added" and "downloading" are both queued before the first wait reads.
    std::this_thread::sleep_for(1s);
    ASSERT_TRUE(events.wait_for<event::TorrentAdded>(10s));
    EXPECT_TRUE(events.wait_for<event::StateChanged>(
        10s, [](auto& e) { return e.state == TorrentState::downloading; }));
}

TEST_F(Swarm, PauseStopsTheDownloadAndResumeFinishesIt) {
    ASSERT_NO_FATAL_FAILURE(start({3 * 1024 * 1024}));
    auto p = leech_params();
    p.download_limit = 1024 * 1024;
    const TorrentId id = leech->add_torrent(p);
    ASSERT_TRUE(events->wait_for<event::PieceFinished>(20s));
    leech->pause(id);
    ASSERT_TRUE(events->wait_for<event::StateChanged>(10s, [](auto& e) { return e.state == TorrentState::paused; }));
    events->wait_for<event::Stats>(3s);
    const auto paused_at = events->last_stats().total_wanted_done;
    std::this_thread::sleep_for(2s);
    events->wait_for<event::Stats>(3s);
    EXPECT_EQ(events->last_stats().total_wanted_done, paused_at) << "downloaded while paused";
    EXPECT_EQ(events->last_stats().peers, 0);
    leech->resume(id);
    ASSERT_TRUE(events->wait_for<event::TorrentFinished>(30s));
    EXPECT_TRUE(same("f0"));
}

// uTP under the sanitizers: a leech with TCP off reaches the seed over uTP, and pausing and
// resuming closes and opens uTP connections while pieces are being written.
TEST_F(Swarm, WithTcpOffTheDownloadGoesOverUtpThroughAPauseAndResume) {
    leech_settings.enable_tcp = false;
    ASSERT_NO_FATAL_FAILURE(start({3 * 1024 * 1024}));
    auto p = leech_params();
    p.download_limit = 1024 * 1024;
    const TorrentId id = leech->add_torrent(p);
    const auto connected = events->wait_for<event::PeerConnected>(20s);
    ASSERT_TRUE(connected);
    EXPECT_EQ(connected->transport, "uTP");
    ASSERT_TRUE(events->wait_for<event::PieceFinished>(20s));
    leech->pause(id);
    ASSERT_TRUE(events->wait_for<event::StateChanged>(10s, [](auto& e) { return e.state == TorrentState::paused; }));
    leech->resume(id);
    ASSERT_TRUE(events->wait_for<event::TorrentFinished>(30s));
    EXPECT_TRUE(same("f0"));
}

TEST_F(Swarm, ASeedWithTcpOffTurnsAwayTcpPeers) {
    seed_settings.enable_tcp = false;
    leech_settings.enable_utp = false;
    ASSERT_NO_FATAL_FAILURE(start({256 * 1024}));
    leech->add_torrent(leech_params());
    EXPECT_TRUE(events->wait_for<event::ConnectFailed>(20s));
    EXPECT_FALSE(fs::exists(out / "set" / "f0") && same("f0"));
}

TEST_F(Swarm, DownloadRateLimitHolds) {
    ASSERT_NO_FATAL_FAILURE(start({2 * 1024 * 1024}));
    auto p = leech_params();
    p.download_limit = 512 * 1024;
    const auto start = std::chrono::steady_clock::now();
    leech->add_torrent(p);
    ASSERT_TRUE(events->wait_for<event::TorrentFinished>(60s));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // 2 MiB at 512 KiB/s: about 4 s; the bucket allows a quarter second of burst.
    EXPECT_GE(seconds, 3.0);
    EXPECT_TRUE(same("f0"));
}

TEST_F(Swarm, SkippedFileIsLeftOutUntilWanted) {
    ASSERT_NO_FATAL_FAILURE(start({400 * 1024, 300 * 1024, 200 * 1024}));
    auto p = leech_params();
    p.file_priorities.assign(info->files.size(), 4);
    const std::size_t skipped = file_index("set/f1");
    p.file_priorities[skipped] = 0;
    const TorrentId id = leech->add_torrent(p);
    ASSERT_TRUE(events->wait_for<event::TorrentFinished>(30s));
    EXPECT_TRUE(same("f0"));
    EXPECT_TRUE(same("f2"));
    EXPECT_FALSE(fs::exists(out / "set" / "f1"));
    leech->set_file_priority(id, skipped, 4);
    ASSERT_TRUE(events->wait_for<event::TorrentFinished>(30s));
    EXPECT_TRUE(same("f1"));
}

TEST_F(Swarm, RecheckFindsDamageAndTheDownloadRepairsIt) {
    ASSERT_NO_FATAL_FAILURE(start({1024 * 1024}));
    auto p = leech_params();
    const TorrentId id = leech->add_torrent(p);
    ASSERT_TRUE(events->wait_for<event::TorrentFinished>(30s));
    {
        std::fstream f(out / "set" / "f0", std::ios::binary | std::ios::in | std::ios::out);
        f.seekp(500000);
        f.put('!');
    }
    leech->recheck(id);
    ASSERT_TRUE(events->wait_for<event::StateChanged>(10s, [](auto& e) { return e.state == TorrentState::downloading; }));
    ASSERT_TRUE(events->wait_for<event::TorrentFinished>(30s));
    EXPECT_TRUE(same("f0"));
}

TEST_F(Swarm, RemoveWithDataDeletesTheFiles) {
    ASSERT_NO_FATAL_FAILURE(start({256 * 1024, 128 * 1024}));
    auto p = leech_params();
    const TorrentId id = leech->add_torrent(p);
    ASSERT_TRUE(events->wait_for<event::TorrentFinished>(30s));
    ASSERT_TRUE(fs::exists(out / "set" / "f0"));
    leech->remove_torrent(id, true);
    ASSERT_TRUE(events->wait_for<event::TorrentRemoved>(10s));
    EXPECT_FALSE(fs::exists(out / "set"));
    EXPECT_TRUE(fs::exists(data / "set" / "f0")) << "the seed's data must not be touched";
}

// The torrent's folder was swapped for a symlink to a folder outside the save folder that
// holds a file of the same name: removing the torrent with its data leaves that file alone.
TEST_F(Swarm, RemoveWithDataNeverFollowsASymlinkedFolder) {
    ASSERT_NO_FATAL_FAILURE(start({256 * 1024, 128 * 1024}));
    auto p = leech_params();
    const TorrentId id = leech->add_torrent(p);
    ASSERT_TRUE(events->wait_for<event::TorrentFinished>(30s));
    const fs::path outside = dir.path() / "outside";
    write_file(outside / "f0", 1000, 9);
    fs::rename(out / "set", dir.path() / "moved-away");
    fs::create_directory_symlink(outside, out / "set");
    leech->remove_torrent(id, true);
    ASSERT_TRUE(events->wait_for<event::TorrentRemoved>(10s));
    EXPECT_TRUE(fs::exists(outside / "f0")) << "deleted a file outside the save folder through a symlink";
    EXPECT_TRUE(fs::is_symlink(out / "set"));
    EXPECT_TRUE(fs::exists(data / "set" / "f0")) << "the seed's data must not be touched";
}

TEST_F(Swarm, DetailsDescribeThePeerAndThePieces) {
    ASSERT_NO_FATAL_FAILURE(start({3 * 1024 * 1024}));
    auto p = leech_params();
    p.download_limit = 1024 * 1024;
    const TorrentId id = leech->add_torrent(p);
    ASSERT_TRUE(events->wait_for<event::PieceFinished>(20s));
    leech->request_details(id);
    const auto details = events->wait_for<event::Details>(5s);
    ASSERT_TRUE(details);
    ASSERT_EQ(details->peers.size(), 1u);
    const PeerInfo& seed_peer = details->peers[0];
    EXPECT_EQ(seed_peer.address, "127.0.0.1:" + std::to_string(seed->listen_port()));
    EXPECT_DOUBLE_EQ(seed_peer.progress, 1.0);
    EXPECT_NE(seed_peer.flags.find('D'), std::string::npos) << seed_peer.flags;  // downloading from it
    EXPECT_EQ(seed_peer.flags.find('I'), std::string::npos) << seed_peer.flags;  // we dialed it
    const auto pieces = static_cast<std::size_t>(info->num_pieces);
    ASSERT_EQ(details->have.size(), (pieces + 7) / 8);
    std::size_t have = 0;
    for (std::size_t i = 0; i < pieces; ++i) have += (static_cast<unsigned char>(details->have[i / 8]) >> (7 - i % 8)) & 1;
    EXPECT_GE(have, 1u);
    EXPECT_LT(have, pieces);  // 3 MiB at 1 MiB/s is still under way
    ASSERT_TRUE(events->wait_for<event::TorrentFinished>(30s));
}

// A peer suspended in its torrent's rate limiter is resumed after the torrent was removed:
// the limiter must still be there (under AddressSanitizer this was a use after free).
TEST_F(Swarm, RemovingATorrentWhileItsPeerWaitsInTheLimiterIsSafe) {
    ASSERT_NO_FATAL_FAILURE(start({2 * 1024 * 1024}));
    auto p = leech_params();
    p.download_limit = 64 * 1024;
    const TorrentId id = leech->add_torrent(p);
    ASSERT_TRUE(events->wait_for<event::PeerConnected>(20s));
    // Pieces flowing: every read now waits in the 64 KiB/s bucket.
    ASSERT_TRUE(events->wait_for<event::Stats>(20s, [](const event::Stats& s) { return s.stats.downloaded > 0; }));
    leech->remove_torrent(id);
    ASSERT_TRUE(events->wait_for<event::TorrentRemoved>(20s));
    // Long enough for the limiter's timer to fire and the read loop to resume.
    std::this_thread::sleep_for(1500ms);
    // The session still works: the same torrent can come back and finish.
    auto again = leech_params();
    leech->add_torrent(again);
    EXPECT_TRUE(events->wait_for<event::TorrentFinished>(60s));
    EXPECT_TRUE(same("f0"));
}

// The data moves while pieces are coming in: the files go to the new folder, the download
// carries on there with the pieces already verified (no check), and finishes byte for byte.
TEST_F(Swarm, MovingTheDataDuringADownloadFinishesItInTheNewFolder) {
    ASSERT_NO_FATAL_FAILURE(start({3 * 1024 * 1024, 200 * 1024}));
    auto p = leech_params();
    p.download_limit = 1024 * 1024;
    const TorrentId id = leech->add_torrent(p);
    ASSERT_TRUE(events->wait_for<event::PieceFinished>(20s));
    const fs::path moved = dir.path() / "moved";
    leech->move_storage(id, moved, true);
    const auto done = events->wait_for<event::StorageMoved>(20s);
    ASSERT_TRUE(done);
    EXPECT_EQ(done->save_dir, moved);
    EXPECT_FALSE(fs::exists(out / "set"));
    // The pieces verified before the move count still: nothing is checked again.
    const auto after = events->wait_for<event::Stats>(5s);
    ASSERT_TRUE(after);
    EXPECT_NE(after->stats.state, TorrentState::checking);
    EXPECT_GT(after->stats.total_wanted_done, 0);
    ASSERT_TRUE(events->wait_for<event::TorrentFinished>(30s));
    for (const char* name : {"f0", "f1"}) {
        EXPECT_EQ(read_file(moved / "set" / name), read_file(data / "set" / name)) << name;
    }
    EXPECT_FALSE(fs::exists(out / "set"));
}

// A new folder that cannot take the data (a file where the torrent's folder would go): the
// error names the path, the data stays where it was and is still served; another move works.
TEST_F(Swarm, AFailedMoveKeepsTheDataWhereItWas) {
    ASSERT_NO_FATAL_FAILURE(start({256 * 1024, 128 * 1024}));
    const TorrentId id = leech->add_torrent(leech_params());
    ASSERT_TRUE(events->wait_for<event::TorrentFinished>(30s));
    const fs::path blocked = dir.path() / "blocked";
    write_file(blocked / "set", 10, 1);
    leech->move_storage(id, blocked, true);
    const auto error = events->wait_for<event::Error>(20s);
    ASSERT_TRUE(error);
    EXPECT_NE(error->message.find((blocked / "set").string()), std::string::npos) << error->message;
    EXPECT_TRUE(same("f0"));
    EXPECT_TRUE(same("f1"));

    const fs::path moved = dir.path() / "moved";
    leech->move_storage(id, moved, true);
    ASSERT_TRUE(events->wait_for<event::StorageMoved>(20s));
    EXPECT_EQ(read_file(moved / "set" / "f0"), read_file(data / "set" / "f0"));
    EXPECT_FALSE(fs::exists(out / "set"));
}

// Without moving: the data was put elsewhere by hand, and the torrent is told to look there.
TEST_F(Swarm, LookingForTheDataInAnotherFolderChecksIt) {
    ASSERT_NO_FATAL_FAILURE(start({256 * 1024}));
    const TorrentId id = leech->add_torrent(leech_params());
    ASSERT_TRUE(events->wait_for<event::TorrentFinished>(30s));
    const fs::path elsewhere = dir.path() / "elsewhere";
    fs::create_directories(elsewhere);
    fs::rename(out / "set", elsewhere / "set");
    leech->move_storage(id, elsewhere, false);
    ASSERT_TRUE(events->wait_for<event::StorageMoved>(20s));
    ASSERT_TRUE(events->wait_for<event::StateChanged>(10s, [](auto& e) { return e.state == TorrentState::checking; }));
    ASSERT_TRUE(events->wait_for<event::TorrentFinished>(20s));
    EXPECT_EQ(events->last_stats().total_wanted_done, events->last_stats().total_wanted);
    EXPECT_FALSE(fs::exists(out / "set"));
}

namespace {

// An HTTP server on 127.0.0.1 that notes the target of every request and answers 404.
class NotingWebServer {
public:
    NotingWebServer() : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        accept();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~NotingWebServer() {
        io_.stop();
        thread_.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/files/"; }
    std::vector<std::string> targets() {
        std::lock_guard lock(mutex_);
        return targets_;
    }

private:
    void accept() {
        acceptor_.async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket s) {
            if (ec) return;
            auto socket = std::make_shared<boost::asio::ip::tcp::socket>(std::move(s));
            auto buffer = std::make_shared<boost::asio::streambuf>();
            boost::asio::async_read_until(*socket, *buffer, "\r\n\r\n", [this, socket, buffer](auto ec, std::size_t) {
                if (ec) return;
                std::istream head(buffer.get());
                std::string method, target;
                head >> method >> target;
                {
                    std::lock_guard lock(mutex_);
                    targets_.push_back(target);
                }
                static const std::string k_not_found = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                boost::asio::async_write(*socket, boost::asio::buffer(k_not_found), [socket](auto, std::size_t) {});
            });
            accept();
        });
    }

    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<std::string> targets_;
};

}  // namespace

// A web seed serves files under the names the torrent gives them: a file renamed on our side
// (here as a restart brings the rename back from the resume data) is asked for by its
// published name, never by ours.
TEST(WebSeedNames, ARenamedFileIsAskedForByItsPublishedName) {
    TempDir dir;
    write_file(dir.path() / "data" / "set" / "f0", 200 * 1024, 1);
    write_file(dir.path() / "data" / "set" / "f1", 1000, 2);
    CreateOptions o;
    o.piece_length = 64 * 1024;
    auto created = create_torrent(dir.path() / "data" / "set", o);
    ASSERT_TRUE(created) << created.error().message;
    ASSERT_EQ(created->info.files.at(0).joined_path(), "set/f0");
    NotingWebServer server;
    Session leech(on("127.0.0.2"));
    AddTorrentParams p;
    p.info = std::make_shared<const TorrentInfo>(created->info);
    p.save_dir = dir.path() / "out";
    p.web_seeds = std::vector<std::string>{server.url()};
    p.file_names = {{0, "renamed"}};
    leech.add_torrent(p);
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (server.targets().empty() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    const auto targets = server.targets();
    ASSERT_FALSE(targets.empty()) << "the web seed was never asked";
    for (const auto& target : targets) {
        EXPECT_TRUE(target == "/files/set/f0" || target == "/files/set/f1") << target;
    }
}
