// The tracker client and the announcer against Debian's opentracker, run on 127.0.0.1 inside
// the private network namespace the test's ctest entry creates.

#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "discovery/tracker/announcer.hpp"
#include "discovery/tracker/tracker_client.hpp"
#include "fake_servers.hpp"

extern char** environ;

namespace shoal::tracker_client {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using namespace std::chrono_literals;
using test::run_until_done;

// An ephemeral port free for both TCP and UDP on 127.0.0.1.
std::uint16_t free_port() {
    asio::io_context io;
    for (int attempt = 0; attempt < 20; ++attempt) {
        tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        const auto port = probe.local_endpoint().port();
        boost::system::error_code ec;
        udp::socket u(io);
        u.open(udp::v4(), ec);
        u.bind(udp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
        if (!ec)
            return port;
    }
    return 0;
}

bool accepts_connections(std::uint16_t port) {
    asio::io_context io;
    tcp::socket s(io);
    boost::system::error_code ec;
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    return !ec;
}

class OpenTrackerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const char* netns = std::getenv("SHOAL_TRACKER_NETNS");
        if (!netns || std::string(netns) != "1")
            GTEST_SKIP() << "runs only in the private network namespace of its ctest entry";
        ASSERT_TRUE(std::filesystem::exists("/usr/bin/opentracker"))
            << "opentracker is not installed";
        dir_ = std::filesystem::temp_directory_path() /
               ("shoal-opentracker-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        std::filesystem::permissions(dir_, std::filesystem::perms::all);
        hash_http_.bytes.fill(0x11);
        hash_udp_.bytes.fill(0x22);
        {
            // Debian's opentracker serves only listed torrents; it reads the list after
            // changing its root to dir_.
            std::ofstream list(dir_ / "whitelist");
            list << hash_http_.hex() << "\n" << hash_udp_.hex() << "\n";
        }
        port_ = free_port();
        ASSERT_NE(port_, 0);
        const std::string port = std::to_string(port_);
        const std::string dir = dir_.string();
        std::vector<std::string> args{"/usr/bin/opentracker",
                                      "-i",
                                      "127.0.0.1",
                                      "-p",
                                      port,
                                      "-P",
                                      port,
                                      "-d",
                                      dir,
                                      "-u",
                                      "nobody",
                                      "-w",
                                      "/whitelist"};
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ASSERT_EQ(rc, 0) << "cannot start opentracker";
        const auto give_up = std::chrono::steady_clock::now() + 5s;
        while (!accepts_connections(port_) && std::chrono::steady_clock::now() < give_up)
            std::this_thread::sleep_for(20ms);
        ASSERT_TRUE(accepts_connections(port_)) << "opentracker did not start listening";
        // It listens before a thread of its own has read the list: until then every torrent
        // is refused as not authorized. It answers a stopped event without looking at the
        // list, so the probe is a start, and its peer then leaves the swarm again.
        TrackerClient client(TrackerClientOptions{});
        const std::string url = "http://127.0.0.1:" + port + "/announce";
        bool listed = false;
        AnnounceRequest probe = request(hash_http_, 'z', 9);
        while (!listed && std::chrono::steady_clock::now() < give_up + 5s) {
            listed = run_until_done(io_, client.announce(url, probe)).ok();
            if (!listed) std::this_thread::sleep_for(20ms);
        }
        ASSERT_TRUE(listed) << "opentracker did not read its whitelist";
        probe.event = TrackerEvent::stopped;
        ASSERT_TRUE(run_until_done(io_, client.announce(url, probe)).ok());
    }

    void TearDown() override {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
        if (!dir_.empty())
            std::filesystem::remove_all(dir_);
    }

    AnnounceRequest request(const SwarmHash& hash, char peer, std::uint16_t port) {
        AnnounceRequest r;
        r.info_hash = hash;
        r.peer_id.bytes.fill(static_cast<std::uint8_t>(peer));
        r.port = port;
        r.left = 1000;
        r.event = TrackerEvent::started;
        r.numwant = 50;
        return r;
    }

    static bool lists(const AnnounceResponse& r, std::uint16_t port) {
        return std::any_of(r.peers.begin(), r.peers.end(), [&](const tcp::endpoint& e) {
            return e.address() == asio::ip::make_address("127.0.0.1") && e.port() == port;
        });
    }

    void two_peers_see_each_other(const std::string& url, const SwarmHash& hash) {
        TrackerClientOptions options;
        options.http.timeout = 3s;
        options.udp.base_timeout = 500ms;
        TrackerClient client(options);
        auto first = run_until_done(io_, client.announce(url, request(hash, 'a', 1111)));
        ASSERT_TRUE(first.ok()) << first.error().message;
        EXPECT_GT(first->interval, 0);
        auto second = run_until_done(io_, client.announce(url, request(hash, 'b', 2222)));
        ASSERT_TRUE(second.ok()) << second.error().message;
        EXPECT_TRUE(lists(*second, 1111)) << "the second peer was not told about the first";
        EXPECT_EQ(second->leechers, 2);
        auto again = run_until_done(io_, client.announce(url, request(hash, 'a', 1111)));
        ASSERT_TRUE(again.ok()) << again.error().message;
        EXPECT_TRUE(lists(*again, 2222)) << "the first peer was not told about the second";

        auto scrape = run_until_done(io_, client.scrape(url, {hash}));
        ASSERT_TRUE(scrape.ok()) << scrape.error().message;
        ASSERT_EQ(scrape->entries.size(), 1u);
        EXPECT_EQ(scrape->entries[0].info_hash, hash);
        EXPECT_EQ(scrape->entries[0].leechers, 2);
        EXPECT_EQ(scrape->entries[0].seeders, 0);
    }

    std::string http_url() const {
        return "http://127.0.0.1:" + std::to_string(port_) + "/announce";
    }
    std::string udp_url() const { return "udp://127.0.0.1:" + std::to_string(port_) + "/announce"; }

    asio::io_context io_;
    std::filesystem::path dir_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
    SwarmHash hash_http_;
    SwarmHash hash_udp_;
};

TEST_F(OpenTrackerTest, HttpAnnounceAndScrape) {
    two_peers_see_each_other(http_url(), hash_http_);
}

TEST_F(OpenTrackerTest, UdpAnnounceAndScrape) {
    two_peers_see_each_other(udp_url(), hash_udp_);
}

TEST_F(OpenTrackerTest, UnlistedTorrentIsRefusedWithTheTrackersReason) {
    TrackerClient client;
    SwarmHash unlisted;
    unlisted.bytes.fill(0x33);
    auto r = run_until_done(io_, client.announce(http_url(), request(unlisted, 'a', 1111)));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "tracker " + http_url() +
                                     " replied: failure reason: Requested download is not "
                                     "authorized for use with this tracker.");
}

TEST_F(OpenTrackerTest, AnnouncerUsesTheWorkingTierBesideADeadOneAndSaysStoppedOnStop) {
    TrackerClientOptions options;
    options.udp.base_timeout = 500ms;
    TrackerClient client(options);
    // Tier 0 is a closed port; tier 1, opentracker over UDP, is asked at the same time.
    const std::string dead = "http://127.0.0.1:" + std::to_string(free_port()) + "/announce";
    AnnounceIdentity identity;
    identity.info_hash = hash_udp_;
    identity.peer_id.bytes.fill('z');
    identity.port = 3333;
    std::vector<TrackerUpdate> updates;
    Announcer announcer(
        io_.get_executor(), identity, {{dead}, {udp_url()}}, client,
        [] {
            return TransferTotals{0, 0, 500};
        },
        [&](const TrackerUpdate& u) { updates.push_back(u); });
    run_until_done(io_, [&]() -> asio::awaitable<int> {
        co_await announcer.announce_round();
        co_return 0;
    }());
    ASSERT_EQ(updates.size(), 2u);
    // The two tiers answer in either order.
    if (updates[0].url != dead)
        std::swap(updates[0], updates[1]);
    EXPECT_FALSE(updates[0].ok);
    EXPECT_EQ(updates[0].url, dead);
    EXPECT_TRUE(updates[1].ok) << updates[1].message;
    EXPECT_EQ(updates[1].url, udp_url());
    EXPECT_EQ(updates[1].event, TrackerEvent::started);
    EXPECT_EQ(updates[1].leechers, 1);

    run_until_done(io_, [&]() -> asio::awaitable<int> {
        co_await announcer.stop();
        co_return 0;
    }());
    ASSERT_EQ(updates.size(), 3u);
    EXPECT_EQ(updates[2].event, TrackerEvent::stopped);
    EXPECT_TRUE(updates[2].ok) << updates[2].message;
    // opentracker forgot us.
    auto scrape = run_until_done(io_, client.scrape(udp_url(), {hash_udp_}));
    ASSERT_TRUE(scrape.ok()) << scrape.error().message;
    ASSERT_EQ(scrape->entries.size(), 1u);
    EXPECT_EQ(scrape->entries[0].leechers, 0);
}

}  // namespace
}  // namespace shoal::tracker_client
