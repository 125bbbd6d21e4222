// The UDP tracker client (BEP 15, BEP 41) against a scripted fake tracker: connection ids,
// retransmission, giving up, error packets, stray packets, scrape.

#include <gtest/gtest.h>

#include "discovery/tracker/tracker_client.hpp"
#include "net/udp_port.hpp"
#include "tracker_protocol/udp_client_packets.hpp"
#include "fake_servers.hpp"

namespace shoal::tracker_client {
namespace {

using tracker_protocol::k_udp_protocol_id;

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using namespace std::chrono_literals;
using test::FakeUdpServer;
using test::put32;
using test::put64;
using test::read_be;
using test::run_until_done;

// A UDP tracker whose misbehaviour each test dials in.
struct ScriptedTracker {
    int drop_connects = 0;
    int drop_announces = 0;
    bool error_on_announce = false;
    bool stray_first = false;
    bool short_connect = false;
    int connects = 0;
    int announces = 0;
    int scrapes = 0;
    std::uint64_t connection_id = 0x1122334455667788;
    test::Bytes last_announce;

    std::vector<test::Bytes> handle(const test::Bytes& p) {
        if (p.size() < 16)
            return {};
        const auto action = static_cast<std::uint32_t>(read_be(p, 8, 4));
        const auto transaction_id = static_cast<std::uint32_t>(read_be(p, 12, 4));
        test::Bytes reply;
        if (read_be(p, 0, 8) == k_udp_protocol_id && action == 0) {
            if (++connects <= drop_connects)
                return {};
            put32(reply, 0);
            put32(reply, transaction_id);
            if (short_connect)
                return {reply, {}};
            put64(reply, connection_id);
            return {reply};
        }
        if (read_be(p, 0, 8) != connection_id)
            return {error(transaction_id, "bad connection id")};
        if (action == 1) {
            last_announce = p;
            if (++announces <= drop_announces)
                return {};
            if (error_on_announce)
                return {error(transaction_id, "unregistered torrent")};
            put32(reply, 1);
            put32(reply, transaction_id);
            put32(reply, 1200);
            put32(reply, 2);
            put32(reply, 1);
            for (int v : {127, 0, 0, 1, 0x1a, 0xe1})
                reply.push_back(static_cast<std::uint8_t>(v));
            if (!stray_first)
                return {reply};
            test::Bytes stray = reply;
            stray[7] ^= 1;  // someone else's transaction
            return {stray, reply};
        }
        if (action == 2) {
            ++scrapes;
            put32(reply, 2);
            put32(reply, transaction_id);
            for (std::size_t at = 16; at + 20 <= p.size(); at += 20) {
                put32(reply, 5);
                put32(reply, 6);
                put32(reply, 7);
            }
            return {reply};
        }
        return {};
    }

    static test::Bytes error(std::uint32_t transaction_id, const std::string& text) {
        test::Bytes b;
        put32(b, 3);
        put32(b, transaction_id);
        b.insert(b.end(), text.begin(), text.end());
        return b;
    }
};

class UdpTrackerTest : public ::testing::Test {
  protected:
    UdpTrackerTest() {
        options.udp.base_timeout = 50ms;
        options.udp.max_tries = 3;
        request.info_hash.bytes.fill(0x42);
        request.peer_id.bytes.fill('u');
        request.port = 7000;
        request.event = TrackerEvent::started;
    }
    Result<AnnounceResponse> announce(TrackerClient& client, const std::string& url) {
        return run_until_done(io, client.announce(url, request));
    }

    asio::io_context io;
    ScriptedTracker tracker;
    FakeUdpServer server{io, [this](const test::Bytes& p) { return tracker.handle(p); }};
    TrackerClientOptions options;
    AnnounceRequest request;
};

TEST_F(UdpTrackerTest, AnnouncesReusingTheConnectionIdAndSendsUrlData) {
    TrackerClient client(options);
    auto url = server.url("/announce?auth=xyz");
    auto r = announce(client, url);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->interval, 1200);
    EXPECT_EQ(r->leechers, 2);
    EXPECT_EQ(r->seeders, 1);
    ASSERT_EQ(r->peers.size(), 1u);
    EXPECT_EQ(r->peers[0].port(), 6881);
    ASSERT_TRUE(announce(client, url).ok());
    EXPECT_EQ(tracker.connects, 1);
    EXPECT_EQ(tracker.announces, 2);

    const auto& p = tracker.last_announce;
    ASSERT_EQ(p.size(), 98u + 2 + 18);
    EXPECT_EQ(read_be(p, 80, 4), 2u);  // started
    EXPECT_EQ(read_be(p, 96, 2), 7000u);
    EXPECT_EQ(p[98], 2);
    EXPECT_EQ(p[99], 18);
    EXPECT_EQ(std::string(p.begin() + 100, p.end()), "/announce?auth=xyz");
}

TEST_F(UdpTrackerTest, ExpiredConnectionIdIsFetchedAgain) {
    options.udp.connection_id_lifetime = 0ms;
    TrackerClient client(options);
    ASSERT_TRUE(announce(client, server.url()).ok());
    ASSERT_TRUE(announce(client, server.url()).ok());
    EXPECT_EQ(tracker.connects, 2);
    // No path: no URL data option.
    EXPECT_EQ(tracker.last_announce.size(), 98u);
}

TEST_F(UdpTrackerTest, RetransmitsWithGrowingTimeouts) {
    tracker.drop_connects = 1;
    tracker.drop_announces = 1;
    TrackerClient client(options);
    const auto started = std::chrono::steady_clock::now();
    auto r = announce(client, server.url());
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(tracker.connects, 2);
    EXPECT_EQ(tracker.announces, 2);
    EXPECT_GE(took, 50ms + 100ms);  // one lost connect (n = 0), one lost announce (n = 1)
    EXPECT_LT(took, 2s);
}

TEST_F(UdpTrackerTest, GivesUpAfterMaxTries) {
    tracker.drop_connects = 1000;
    TrackerClient client(options);
    const auto started = std::chrono::steady_clock::now();
    auto r = announce(client, server.url());
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "tracker " + server.url() + ": no reply after 3 tries");
    EXPECT_EQ(tracker.connects, 3);
    EXPECT_GE(took, 50ms + 100ms + 200ms);
    EXPECT_LT(took, 2s);
}

TEST_F(UdpTrackerTest, ErrorPacketBecomesTheMessage) {
    tracker.error_on_announce = true;
    TrackerClient client(options);
    auto r = announce(client, server.url());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message,
              "tracker " + server.url() + " replied: error: unregistered torrent");
    // The refusal also forgets the connection id.
    tracker.error_on_announce = false;
    ASSERT_TRUE(announce(client, server.url()).ok());
    EXPECT_EQ(tracker.connects, 2);
}

TEST_F(UdpTrackerTest, IgnoresPacketsOfOtherTransactions) {
    tracker.stray_first = true;
    TrackerClient client(options);
    auto r = announce(client, server.url());
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(tracker.announces, 1);
}

TEST_F(UdpTrackerTest, MalformedConnectReply) {
    tracker.short_connect = true;
    TrackerClient client(options);
    auto r = announce(client, server.url());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message,
              "tracker " + server.url() + " replied: reply of 8 bytes is too short");
}

TEST_F(UdpTrackerTest, ClosedPortFailsFast) {
    const auto url = server.url();
    server.close();
    TrackerClient client(options);
    auto r = announce(client, url);
    ASSERT_FALSE(r.ok());
    // The ICMP refusal ends the request at once instead of waiting out every try.
    EXPECT_EQ(r.error().message, "tracker " + url + ": Connection refused");
}

TEST_F(UdpTrackerTest, Scrape) {
    TrackerClient client(options);
    std::vector<SwarmHash> hashes(2);
    hashes[0].bytes.fill(1);
    hashes[1].bytes.fill(2);
    auto r = run_until_done(io, client.scrape(server.url(), hashes));
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->entries.size(), 2u);
    EXPECT_EQ(r->entries[1].info_hash, hashes[1]);
    EXPECT_EQ(r->entries[1].seeders, 5);
    EXPECT_EQ(r->entries[1].downloaded, 6);
    EXPECT_EQ(r->entries[1].leechers, 7);
    EXPECT_EQ(tracker.scrapes, 1);
}

// The session's way: requests leave from the UDP port uTP and the DHT share, and only the
// replies to requests under way are taken from it.
class SharedPortTest : public UdpTrackerTest {
  protected:
    SharedPortTest() {
        auto opened = net::UdpPort::open(io.get_executor(), udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        EXPECT_TRUE(opened.ok());
        port = std::move(*opened);
    }
    // The client joins the port first; whatever it leaves is counted here.
    void start(TrackerClient& client) {
        client.use_ports(port.get(), nullptr);
        port->add_receiver([this](std::span<const std::uint8_t>, const udp::endpoint&) {
            ++left_to_others;
            return true;
        });
        port->start();
    }

    std::unique_ptr<net::UdpPort> port;
    int left_to_others = 0;
};

TEST_F(SharedPortTest, RequestsLeaveFromThePortAndOtherDatagramsAreLeftToItsOtherReceivers) {
    tracker.stray_first = true;
    TrackerClient client(options);
    start(client);
    auto r = announce(client, server.url());
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->peers.size(), 1u);
    ASSERT_EQ(server.senders.size(), 2u);  // connect, announce
    for (const auto& sender : server.senders) EXPECT_EQ(sender, port->local_endpoint());
    // The reply to another transaction was not the client's to take.
    EXPECT_EQ(left_to_others, 1);
    ASSERT_TRUE(announce(client, server.url()).ok());
    EXPECT_EQ(tracker.connects, 1);
}

TEST_F(SharedPortTest, RetransmitsAndGivesUpAsOnItsOwnSocket) {
    tracker.drop_connects = 1;
    tracker.drop_announces = 1;
    TrackerClient client(options);
    start(client);
    auto r = announce(client, server.url());
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(tracker.connects, 2);
    EXPECT_EQ(tracker.announces, 2);

    tracker.drop_announces = 1000;
    auto lost = announce(client, server.url());
    ASSERT_FALSE(lost.ok());
    EXPECT_EQ(lost.error().message, "tracker " + server.url() + ": no reply after 3 tries");
    // Nothing waits any more: the tracker's late reply to the last try goes to the port's
    // other receivers.
    const auto transaction_id = static_cast<std::uint32_t>(read_be(tracker.last_announce, 12, 4));
    const auto tracker_port = server.port();
    server.close();
    udp::socket late_tracker(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), tracker_port));
    test::Bytes late;
    put32(late, 1);
    put32(late, transaction_id);
    put32(late, 1200);
    put32(late, 0);
    put32(late, 0);
    late_tracker.send_to(asio::buffer(late), port->local_endpoint());
    EXPECT_EQ(left_to_others, 0);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    io.restart();
    while (left_to_others == 0 && std::chrono::steady_clock::now() < deadline) io.run_for(10ms);
    EXPECT_EQ(left_to_others, 1);
}

TEST_F(SharedPortTest, AClosedPortFailsTheRequest) {
    TrackerClient client(options);
    start(client);
    port->close();
    auto r = announce(client, server.url());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message,
              "tracker " + server.url() + ": cannot send: the UDP port is closed or its queue is full");
}

TEST_F(UdpTrackerTest, UrlWithoutPortIsRefused) {
    TrackerClient client(options);
    auto r = announce(client, "udp://127.0.0.1/announce");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "tracker udp://127.0.0.1/announce: URL has no port");
}

}  // namespace
}  // namespace shoal::tracker_client
