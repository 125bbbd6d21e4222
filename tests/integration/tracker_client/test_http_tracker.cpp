// The HTTP(S) tracker client against fake trackers: query, replies, errors, timeouts,
// limits, redirects and certificate checks.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "discovery/tracker/announcer.hpp"
#include "discovery/tracker/tracker_client.hpp"
#include "fake_servers.hpp"

namespace shoal::tracker_client {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using namespace std::chrono_literals;
using namespace std::string_literals;
using test::CannedReply;
using test::FakeHttpServer;
using test::run_until_done;

AnnounceRequest request_for(char peer) {
    AnnounceRequest r;
    r.info_hash.bytes.fill(0x5a);
    r.peer_id.bytes.fill(static_cast<std::uint8_t>(peer));
    r.port = 6881;
    r.left = 100;
    r.event = TrackerEvent::started;
    return r;
}

TrackerClientOptions fast_options() {
    TrackerClientOptions o;
    o.http.timeout = 500ms;
    return o;
}

const std::string k_two_peers =
    "d8:intervali900e8:completei1e10:incompletei2e5:peers12:"
    "\x7f\x00\x00\x01\x1a\xe1\x7f\x00\x00\x02\x1a\xe2"
    "e"s;

class HttpTrackerTest : public ::testing::Test {
  protected:
    Result<AnnounceResponse> announce(const std::string& url,
                                      AnnounceRequest r = request_for('a')) {
        return run_until_done(io, client.announce(url, r));
    }
    asio::io_context io;
    TrackerClient client{fast_options()};
};

TEST_F(HttpTrackerTest, AnnouncesWithCompactQueryAndKeepsThePasskey) {
    FakeHttpServer server(io, [](const std::string&) { return test::reply(200, k_two_peers); });
    auto r = announce(server.url("/announce?passkey=abc"));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->interval, 900);
    EXPECT_EQ(r->seeders, 1);
    EXPECT_EQ(r->leechers, 2);
    ASSERT_EQ(r->peers.size(), 2u);
    EXPECT_EQ(r->peers[1].address().to_string(), "127.0.0.2");
    EXPECT_EQ(r->peers[1].port(), 6882);
    ASSERT_EQ(server.targets.size(), 1u);
    const auto& target = server.targets[0];
    EXPECT_EQ(
        target.rfind(
            "/announce?passkey=abc&info_hash=ZZZZZZZZZZZZZZZZZZZZ&peer_id=aaaaaaaaaaaaaaaaaaaa", 0),
        0u)
        << target;
    EXPECT_NE(target.find("&compact=1"), std::string::npos);
    EXPECT_NE(target.find("&event=started"), std::string::npos);
    EXPECT_NE(target.find("&left=100"), std::string::npos);
    EXPECT_EQ(server.hosts[0], "127.0.0.1:" + std::to_string(server.port()));
}

TEST_F(HttpTrackerTest, FailureReasonIsTheMessage) {
    FakeHttpServer server(io, [](const std::string&) {
        return test::reply(200, "d14:failure reason20:unregistered torrente");
    });
    auto url = server.url("/announce");
    auto r = announce(url);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message,
              "tracker " + url + " replied: failure reason: unregistered torrent");
}

TEST_F(HttpTrackerTest, ErrorStatusPrefersABencodedReason) {
    FakeHttpServer server(io, [](const std::string& target) {
        if (target.starts_with("/html"))
            return test::reply(404, "<html>nope</html>");
        return test::reply(403, "d14:failure reason6:bannede");
    });
    auto html = server.url("/html/announce");
    EXPECT_EQ(announce(html).error().message, "tracker " + html + " replied: HTTP 404 Not Found");
    auto banned = server.url("/announce");
    EXPECT_EQ(announce(banned).error().message,
              "tracker " + banned + " replied: failure reason: banned");
}

TEST_F(HttpTrackerTest, MalformedRepliesAreNamed) {
    FakeHttpServer server(io, [](const std::string& target) {
        if (target.starts_with("/garbage"))
            return test::reply(200, "d8:intervali");
        if (target.starts_with("/nointerval"))
            return test::reply(200, "d8:completei1ee");
        return test::reply(200, "d8:intervali60e5:peers5:abcdee");
    });
    auto garbage = announce(server.url("/garbage/announce"));
    ASSERT_FALSE(garbage.ok());
    EXPECT_EQ(garbage.error().message.rfind(
                  "tracker " + server.url("/garbage/announce") + " replied: malformed reply:", 0),
              0u)
        << garbage.error().message;
    EXPECT_EQ(announce(server.url("/nointerval/announce")).error().message,
              "tracker " + server.url("/nointerval/announce") +
                  " replied: malformed reply: neither \"interval\" nor peers");
    EXPECT_EQ(announce(server.url("/announce")).error().message,
              "tracker " + server.url("/announce") +
                  " replied: malformed reply: \"peers\" length 5 is not a multiple of 6");
}

TEST_F(HttpTrackerTest, SlowAndSilentTrackersTimeOut) {
    FakeHttpServer server(io, [](const std::string& target) {
        CannedReply r = test::reply(200, k_two_peers);
        if (target.starts_with("/slow"))
            r.delay = 3s;
        if (target.starts_with("/quick"))
            r.delay = 100ms;
        return r;
    });
    const auto started = std::chrono::steady_clock::now();
    auto slow = announce(server.url("/slow/announce"));
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(slow.ok());
    EXPECT_EQ(slow.error().message, "tracker " + server.url("/slow/announce") +
                                        ": reading the reply failed: no reply within 500 ms");
    EXPECT_GE(took, 450ms);
    EXPECT_LT(took, 2s);
    // A little slow is fine.
    EXPECT_TRUE(announce(server.url("/quick/announce")).ok());
}

TEST_F(HttpTrackerTest, TellsTheTrackerOurIpv6AddressWhenGivenOne) {
    FakeHttpServer server(io, [](const std::string&) { return test::reply(200, k_two_peers); });
    ASSERT_TRUE(announce(server.url("/announce")).ok());
    client.use_ipv6_address(asio::ip::make_address_v6("2001:db8::1"));
    ASSERT_TRUE(announce(server.url("/announce")).ok());
    client.use_ipv6_address(std::nullopt);
    ASSERT_TRUE(announce(server.url("/announce")).ok());
    ASSERT_EQ(server.targets.size(), 3u);
    EXPECT_EQ(server.targets[0].find("ipv6="), std::string::npos) << server.targets[0];
    EXPECT_NE(server.targets[1].find("&ipv6=2001%3Adb8%3A%3A1"), std::string::npos)
        << server.targets[1];
    EXPECT_EQ(server.targets[2].find("ipv6="), std::string::npos) << server.targets[2];
}

TEST_F(HttpTrackerTest, HangUpAndRefusedConnection) {
    FakeHttpServer server(io, [](const std::string&) { return test::hang_up(); });
    auto hung = announce(server.url("/announce"));
    ASSERT_FALSE(hung.ok());
    EXPECT_NE(hung.error().message.find(": reading the reply failed: "), std::string::npos)
        << hung.error().message;

    const auto closed_url = server.url("/announce");
    server.close();
    auto refused = announce(closed_url);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().message,
              "tracker " + closed_url + ": cannot connect: Connection refused");
}

TEST_F(HttpTrackerTest, BindingFailuresNameTheDeviceOrTheSourceAddress) {
    FakeHttpServer server(io, [](const std::string&) { return test::reply(200, k_two_peers); });
    const auto url = server.url("/announce");

    TrackerClientOptions no_device = fast_options();
    no_device.http.binding.device = "shoal-none0";
    TrackerClient on_missing_device(no_device);
    auto r = run_until_done(io, on_missing_device.announce(url, request_for('a')));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "tracker " + url +
                                     ": cannot connect: cannot bind to interface shoal-none0: "
                                     "no such interface");

    TrackerClientOptions foreign_source = fast_options();
    foreign_source.http.binding.source = asio::ip::make_address("192.0.2.1");
    TrackerClient from_foreign_source(foreign_source);
    r = run_until_done(io, from_foreign_source.announce(url, request_for('a')));
    ASSERT_FALSE(r.ok());
    const auto expected = "tracker " + url +
                          ": cannot connect: cannot connect from source address 192.0.2.1: ";
    EXPECT_EQ(r.error().message.rfind(expected, 0), 0u)
        << r.error().message;
    EXPECT_TRUE(server.targets.empty());
}

TEST_F(HttpTrackerTest, ReplyBodyIsCapped) {
    TrackerClientOptions options = fast_options();
    options.http.limits.max_reply_bytes = 1000;
    TrackerClient small(options);
    FakeHttpServer server(
        io, [](const std::string&) { return test::reply(200, std::string(5000, 'x')); });
    auto r = run_until_done(io, small.announce(server.url("/announce"), request_for('a')));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "tracker " + server.url("/announce") +
                                     " replied: reply exceeds the limit of 1000 bytes");
}

TEST_F(HttpTrackerTest, FollowsAFewRedirects) {
    FakeHttpServer server(io, [](const std::string& target) {
        if (target.starts_with("/old"))
            return test::redirect(302, "/new/announce?k=1");
        if (target.starts_with("/loop"))
            return test::redirect(301, "/loop/announce");
        return test::reply(200, k_two_peers);
    });
    auto moved = announce(server.url("/old/announce"));
    ASSERT_TRUE(moved.ok()) << moved.error().message;
    ASSERT_EQ(server.targets.size(), 2u);
    // The Location is followed as given: the tracker built it from our query.
    EXPECT_EQ(server.targets[1], "/new/announce?k=1");

    auto loop = announce(server.url("/loop/announce"));
    ASSERT_FALSE(loop.ok());
    EXPECT_EQ(loop.error().message,
              "tracker " + server.url("/loop/announce") + ": more than 3 redirects");
    EXPECT_EQ(server.targets.size(), 2u + 4u);
}

TEST_F(HttpTrackerTest, Scrape) {
    const std::string hash(20, 'Z');
    FakeHttpServer server(io, [&](const std::string& target) {
        if (!target.starts_with("/scrape"))
            return test::reply(404, "");
        return test::reply(
            200, "d5:filesd20:" + hash + "d8:completei4e10:downloadedi9e10:incompletei2eeee");
    });
    std::vector<SwarmHash> hashes(1);
    hashes[0].bytes.fill('Z');
    auto r = run_until_done(io, client.scrape(server.url("/announce?pk=1"), hashes));
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->entries.size(), 1u);
    EXPECT_EQ(r->entries[0].seeders, 4);
    EXPECT_EQ(r->entries[0].leechers, 2);
    EXPECT_EQ(r->entries[0].downloaded, 9);
    EXPECT_EQ(server.targets[0], "/scrape?pk=1&info_hash=ZZZZZZZZZZZZZZZZZZZZ");
}

TEST_F(HttpTrackerTest, AnnouncerStopAbandonsASlowAnnounceAndStillSaysStopped) {
    FakeHttpServer server(io, [](const std::string& target) {
        CannedReply r = test::reply(200, k_two_peers);
        if (target.find("event=started") != std::string::npos)
            r.delay = 5s;
        return r;
    });
    TrackerClientOptions options;
    options.http.timeout = 10s;
    TrackerClient patient(options);
    AnnounceIdentity identity;
    identity.port = 6881;
    std::vector<TrackerUpdate> updates;
    Announcer announcer(io.get_executor(), identity, {{server.url("/announce")}}, patient, {},
                        [&](const TrackerUpdate& u) { updates.push_back(u); });
    bool run_done = false;
    asio::co_spawn(io, announcer.run(), [&](std::exception_ptr) { run_done = true; });
    io.restart();
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    while (server.targets.empty() && std::chrono::steady_clock::now() < give_up)
        io.run_one_for(20ms);
    ASSERT_EQ(server.targets.size(), 1u);

    const auto stopping = std::chrono::steady_clock::now();
    run_until_done(io, [&]() -> asio::awaitable<int> {
        co_await announcer.stop();
        co_return 0;
    }());
    io.restart();
    while (!run_done && std::chrono::steady_clock::now() < give_up)
        io.run_one_for(20ms);
    EXPECT_TRUE(run_done);
    EXPECT_LT(std::chrono::steady_clock::now() - stopping, 1s);
    ASSERT_EQ(server.targets.size(), 2u);
    EXPECT_NE(server.targets[1].find("event=stopped"), std::string::npos) << server.targets[1];
    ASSERT_EQ(updates.size(), 1u);
    EXPECT_EQ(updates[0].event, TrackerEvent::stopped);
    EXPECT_TRUE(updates[0].ok) << updates[0].message;
}

// A throwaway certificate for 127.0.0.1, made with the openssl tool.
class HttpsTrackerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("shoal-tls-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
        std::filesystem::create_directories(dir_);
        const std::string cmd =
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
            "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
            (dir_ / "key.pem").string() + " -out " + (dir_ / "cert.pem").string() +
            " >/dev/null 2>&1";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl could not make a certificate";
        server_tls.use_certificate_chain_file((dir_ / "cert.pem").string());
        server_tls.use_private_key_file((dir_ / "key.pem").string(), asio::ssl::context::pem);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    asio::ssl::context trusting_context() {
        asio::ssl::context tls(asio::ssl::context::tls_client);
        tls.load_verify_file((dir_ / "cert.pem").string());
        tls.set_verify_mode(asio::ssl::verify_peer);
        return tls;
    }

    std::filesystem::path dir_;
    asio::io_context io;
    asio::ssl::context server_tls{asio::ssl::context::tls_server};
};

TEST_F(HttpsTrackerTest, AnnouncesWhenTheCertificateIsTrusted) {
    FakeHttpServer server(
        io, [](const std::string&) { return test::reply(200, k_two_peers); }, &server_tls);
    TrackerClient client(trusting_context(), fast_options());
    auto r = run_until_done(io, client.announce(server.url("/announce"), request_for('a')));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->peers.size(), 2u);
}

TEST_F(HttpsTrackerTest, RefusesAnUntrustedCertificate) {
    FakeHttpServer server(
        io, [](const std::string&) { return test::reply(200, k_two_peers); }, &server_tls);
    TrackerClient client(fast_options());  // system CAs only
    auto url = server.url("/announce");
    auto r = run_until_done(io, client.announce(url, request_for('a')));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message.rfind(
                  "tracker " + url + ": TLS handshake failed: certificate verify failed", 0),
              0u)
        << r.error().message;
    EXPECT_TRUE(server.targets.empty());
}

}  // namespace
}  // namespace shoal::tracker_client
