// A torrent's connections: who may join (limits, ourselves, a second connection with the same
// peer), the session-wide count they hold, closing and banning, and seeds closed by seeds.
// Connections run over in-memory streams; no sockets, no sleeps.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "memory_stream.hpp"
#include "peer_test_host.hpp"
#include "session/torrent_peers.hpp"

namespace shoal {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using test::MemoryStream;

const tcp::endpoint k_us(asio::ip::make_address("198.51.100.1"), 6881);

tcp::endpoint peer_at(int n) { return {asio::ip::make_address("198.51.100." + std::to_string(10 + n)), 6881}; }

wire::PeerId id_of(char c) {
    wire::PeerId id;
    id.fill(c);
    return id;
}

class TorrentPeersTest : public ::testing::Test {
protected:
    TorrentPeersTest() {
        settings.max_peers_per_torrent = 3;
        settings.max_connections = 10;
        host.when_closed = [this](PeerConnection& p, const std::string& reason) { peers->remove(p, reason, false); };
        make();
    }
    ~TorrentPeersTest() override {
        peers->close_all("test over");
        io.poll();
    }
    void make() {
        peers = std::make_unique<TorrentPeers>(
            settings, count,
            TorrentPeers::Context{1, SwarmId::of(host.info()), host.our_peer_id(), io.get_executor(),
                                  [this](Event e) { events.push_back(std::move(e)); }, host,
                                  transports, [](HandshakeDone) {}});
    }
    // A connection from the peer at `n` with peer id `id` (their side kept to watch it close).
    void attach(int n, wire::PeerId id, bool accepting = true) {
        auto [ours, theirs] = MemoryStream::pair(io.get_executor(), k_us, peer_at(n));
        remotes.push_back(std::move(theirs));
        wire::Handshake handshake;
        handshake.reserved = wire::our_reserved(false);
        handshake.peer_id = id;
        peers->attach(std::move(ours), handshake, accepting, false);
        io.poll();
    }
    // A connection we dialed, handed over (as a magnet link's fetch does).
    std::shared_ptr<PeerConnection> adopt(int n, wire::PeerId id) {
        auto [ours, theirs] = MemoryStream::pair(io.get_executor(), k_us, peer_at(n));
        remotes.push_back(std::move(theirs));
        wire::Handshake handshake;
        handshake.reserved = wire::our_reserved(false);
        handshake.peer_id = id;
        auto peer = std::make_shared<PeerConnection>(std::move(ours), host, handshake);
        peers->adopt({peer});
        return peer;
    }
    std::vector<std::string> addresses() const {
        std::vector<std::string> out;
        for (const auto& p : *peers) out.push_back(p->endpoint().address().to_string());
        std::sort(out.begin(), out.end());
        return out;
    }

    asio::io_context io;
    SessionSettings settings;
    ConnectionCount count;
    // No UDP ports: these tests attach streams and dial nobody.
    Transports transports{io.get_executor(), [] {
                              SessionSettings s;
                              s.enable_utp = false;
                              s.enable_dht = false;
                              return s;
                          }(), 0};
    test::PeerTestHost host{test::made_up_torrent(8)};
    std::vector<Event> events;
    std::vector<std::unique_ptr<MemoryStream>> remotes;
    std::unique_ptr<TorrentPeers> peers;
};

TEST_F(TorrentPeersTest, ConnectionsJoinUpToTheTorrentsLimitAndHoldTheSessionsCount) {
    for (int n = 0; n < 4; ++n) attach(n, id_of(static_cast<char>('a' + n)));
    EXPECT_EQ(peers->size(), 3u);
    EXPECT_EQ(count.open, 3u);
    EXPECT_EQ(addresses(), (std::vector<std::string>{"198.51.100.10", "198.51.100.11", "198.51.100.12"}));
    peers->list().front()->close("gone");
    EXPECT_EQ(peers->size(), 2u);
    EXPECT_EQ(count.open, 2u);
    peers->close_all("stopped");
    EXPECT_EQ(peers->size(), 0u);
    EXPECT_EQ(count.open, 0u);
}

TEST_F(TorrentPeersTest, TheSessionsLimitCountsEveryTorrent) {
    count.open = 9;  // other torrents' connections
    attach(0, id_of('a'));
    attach(1, id_of('b'));
    EXPECT_EQ(peers->size(), 1u);
    EXPECT_EQ(count.open, 10u);
}

// What the session holds for uploads is shared among its connections, so that many slow
// readers cannot make it hold (connections x the most one may hold).
TEST_F(TorrentPeersTest, EachConnectionsSendAllowanceIsItsShareOfTheSessionsBudget) {
    EXPECT_EQ(peers->send_allowance(), SwarmHost::k_max_send_allowance);
    count.open = 10;
    EXPECT_EQ(peers->send_allowance(), SwarmHost::k_max_send_allowance);
    count.open = 128;
    EXPECT_EQ(peers->send_allowance(), TorrentPeers::k_session_send_budget / 128);
    EXPECT_LT(peers->send_allowance(), SwarmHost::k_max_send_allowance);
    count.open = 500;  // the default limit
    EXPECT_LE(500 * peers->send_allowance(), TorrentPeers::k_session_send_budget);
    count.open = 5000;
    EXPECT_EQ(peers->send_allowance(), SwarmHost::k_min_send_allowance);
}

TEST_F(TorrentPeersTest, NoConnectionWithOurselvesOrWhileNotAccepting) {
    attach(0, host.our_peer_id());
    attach(1, id_of('b'), false);
    EXPECT_EQ(peers->size(), 0u);
    EXPECT_EQ(count.open, 0u);
}

TEST_F(TorrentPeersTest, OfTwoConnectionsWithOnePeerTheOneDialedByTheGreaterIdStays) {
    // Our id is "ooo…": a peer with a smaller id ('a') keeps the one we dialed, so its
    // incoming second connection is refused.
    auto dialed = adopt(0, id_of('a'));
    attach(1, id_of('a'));
    EXPECT_EQ(peers->size(), 1u);
    EXPECT_TRUE(dialed->is_open());
    // A peer with a greater id ('z') keeps the one it dialed: it replaces ours.
    auto ours = adopt(2, id_of('z'));
    attach(3, id_of('z'));
    EXPECT_EQ(peers->size(), 2u);
    EXPECT_FALSE(ours->is_open());
    EXPECT_EQ(addresses(), (std::vector<std::string>{"198.51.100.10", "198.51.100.13"}));
    EXPECT_EQ(count.open, 2u);
}

TEST_F(TorrentPeersTest, ABannedAddressIsClosedAndRefused) {
    attach(0, id_of('a'));
    attach(1, id_of('b'));
    const auto address = peer_at(0).address();
    EXPECT_TRUE(peers->ban(address));
    EXPECT_FALSE(peers->ban(address)) << "banned already";
    peers->close_banned(address, "sent bad data");
    EXPECT_EQ(addresses(), std::vector<std::string>{"198.51.100.11"});
    attach(0, id_of('c'));
    EXPECT_EQ(peers->size(), 1u);
    EXPECT_TRUE(std::any_of(events.begin(), events.end(),
                            [](const Event& e) { return std::holds_alternative<event::PeerBanned>(e); }));
}

TEST_F(TorrentPeersTest, EveryConnectionIsReportedAsItComesAndGoes) {
    attach(0, id_of('a'));
    peers->close_all("paused");
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(std::get<event::PeerConnected>(events[0]).address, "198.51.100.10:6881");
    EXPECT_EQ(std::get<event::PeerDisconnected>(events[1]).reason, "paused");
}

}  // namespace
}  // namespace shoal
