// A torrent's connections: who may join (limits, ourselves, a second connection with the same
// peer), the session-wide count they hold, closing and banning, and seeds closed by seeds.
// Connections run over in-memory streams; no sockets, no sleeps.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "memory_stream.hpp"
#include "peer_test_host.hpp"
#include "session/torrent_peers.hpp"
#include "wire/extension_handshake.hpp"
#include "wire/messages.hpp"
#include "wire/ut_holepunch.hpp"

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
                                  transports, [](HandshakeDone) {},
                                  [](const tcp::endpoint& e) { return e == k_us; }});
    }
    // A connection from the peer at `n` with peer id `id` (their side kept to watch it close).
    void attach(int n, wire::PeerId id, bool accepting = true) {
        auto [ours, theirs] = MemoryStream::pair(io.get_executor(), k_us, peer_at(n));
        remotes.push_back(std::move(theirs));
        wire::Handshake handshake;
        handshake.reserved = wire::our_reserved(false);
        handshake.peer_id = id;
        peers->attach(std::move(ours), handshake, false, accepting, false);
        io.poll();
    }
    // The peer at `n` (remotes[index]) sends its extension handshake: listen port 7000 + n,
    // ut_holepunch when `holepunch`.
    void extension_handshake(std::size_t index, int n, bool holepunch) {
        wire::OurExtensions theirs;
        theirs.ut_holepunch = holepunch;
        theirs.listen_port = static_cast<std::uint16_t>(7000 + n);
        std::string out;
        wire::encode_extended(out, 0, wire::encode_extension_handshake(theirs));
        remotes[index]->give(out);
        io.poll();
    }
    void holepunch_from(std::size_t index, const wire::HolepunchMessage& message) {
        std::string out;
        wire::encode_extended(out, wire::k_ut_holepunch_id, wire::encode_holepunch(message));
        remotes[index]->give(out);
        io.poll();
    }
    // The ut_holepunch messages the peer at remotes[index] has received from us (under the id
    // its handshake gave, ours mirrored: 3).
    std::vector<wire::HolepunchMessage> holepunch_to(std::size_t index) {
        io.poll();
        received[index] += remotes[index]->take();
        std::vector<wire::HolepunchMessage> out;
        for (const auto& m : test::split_messages(received[index])) {
            auto decoded = wire::decode_message(m);
            if (!decoded || !std::holds_alternative<wire::Extended>(*decoded)) continue;
            const auto& e = std::get<wire::Extended>(*decoded);
            if (e.id != wire::k_ut_holepunch_id) continue;
            if (auto h = wire::decode_holepunch(e.payload)) out.push_back(*h);
        }
        return out;
    }
    std::vector<std::string> failures() const {
        std::vector<std::string> out;
        for (const auto& e : events) {
            if (const auto* f = std::get_if<event::ConnectFailed>(&e)) out.push_back(f->address + " " + f->reason);
        }
        return out;
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
    std::map<std::size_t, std::string> received;
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

// The torrent's own limit replaces the session's per-torrent one; lowered below the
// connections open, it closes those trading least.
TEST_F(TorrentPeersTest, ATorrentsOwnLimitReplacesTheSessionsAndClosesTheSurplus) {
    peers->set_limit(5);
    EXPECT_EQ(peers->max_peers(), 5);
    for (int n = 0; n < 6; ++n) attach(n, id_of(static_cast<char>('a' + n)));
    EXPECT_EQ(peers->size(), 5u) << "the session's 3 no longer applies";
    peers->set_limit(2);
    io.poll();
    EXPECT_EQ(peers->size(), 2u);
    EXPECT_EQ(count.open, 2u);
    attach(7, id_of('h'));
    EXPECT_EQ(peers->size(), 2u);
    peers->set_limit(0);
    EXPECT_EQ(peers->max_peers(), 3);
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

// BEP 55 as the relay: peers 0 and 1 speak ut_holepunch, peer 2 does not.
class TorrentPeersHolepunchTest : public TorrentPeersTest {
protected:
    TorrentPeersHolepunchTest() {
        settings.max_peers_per_torrent = 50;
        host.holepunch = true;
        host.when_holepunch = [this](PeerConnection& p, const wire::HolepunchMessage& m) { peers->on_holepunch(p, m); };
        attach(0, id_of('a'));
        attach(1, id_of('b'));
        attach(2, id_of('c'));
        extension_handshake(0, 0, true);
        extension_handshake(1, 1, true);
        extension_handshake(2, 2, false);
        for (std::size_t i = 0; i < 3; ++i) holepunch_to(i);
    }
    static tcp::endpoint listening(int n) { return {peer_at(n).address(), static_cast<std::uint16_t>(7000 + n)}; }
    static wire::HolepunchMessage message(wire::HolepunchType type, tcp::endpoint at,
                                          wire::HolepunchError error = wire::HolepunchError::none) {
        return {type, at, error};
    }
};

TEST_F(TorrentPeersHolepunchTest, ARendezvousGetsBothPeersAConnectWithTheOthersListenEndpoint) {
    holepunch_from(0, message(wire::HolepunchType::rendezvous, listening(1)));
    EXPECT_EQ(holepunch_to(0), std::vector{message(wire::HolepunchType::connect, listening(1))});
    EXPECT_EQ(holepunch_to(1), std::vector{message(wire::HolepunchType::connect, listening(0))});
    EXPECT_TRUE(holepunch_to(2).empty());
}

TEST_F(TorrentPeersHolepunchTest, ARendezvousThatCannotBeDoneIsAnsweredWithItsError) {
    const tcp::endpoint nobody(asio::ip::make_address("198.51.100.99"), 7099);
    const tcp::endpoint zero_port(peer_at(1).address(), 0);
    holepunch_from(0, message(wire::HolepunchType::rendezvous, nobody));
    holepunch_from(0, message(wire::HolepunchType::rendezvous, listening(2)));
    holepunch_from(0, message(wire::HolepunchType::rendezvous, k_us));
    holepunch_from(0, message(wire::HolepunchType::rendezvous, zero_port));
    holepunch_from(0, message(wire::HolepunchType::rendezvous, listening(0)));  // itself
    EXPECT_EQ(holepunch_to(0),
              (std::vector{message(wire::HolepunchType::error, nobody, wire::HolepunchError::not_connected),
                           message(wire::HolepunchType::error, listening(2), wire::HolepunchError::no_support),
                           message(wire::HolepunchType::error, k_us, wire::HolepunchError::no_self),
                           message(wire::HolepunchType::error, zero_port, wire::HolepunchError::no_such_peer),
                           message(wire::HolepunchType::error, listening(0), wire::HolepunchError::not_connected)}));
    EXPECT_TRUE(holepunch_to(1).empty());
    EXPECT_TRUE(holepunch_to(2).empty());
}

TEST_F(TorrentPeersHolepunchTest, APeerThatDidNotSayItSpeaksTheExtensionIsIgnored) {
    holepunch_from(2, message(wire::HolepunchType::rendezvous, listening(0)));
    EXPECT_TRUE(holepunch_to(0).empty());
    EXPECT_TRUE(holepunch_to(2).empty());
    EXPECT_EQ(peers->size(), 3u);
}

TEST_F(TorrentPeersHolepunchTest, OneMessageOverTheLimitIsIgnored) {
    const tcp::endpoint nobody(asio::ip::make_address("198.51.100.99"), 7099);
    for (std::size_t i = 0; i < PeerConnection::k_max_holepunch_messages + 5; ++i) {
        holepunch_from(0, message(wire::HolepunchType::rendezvous, nobody));
    }
    EXPECT_EQ(holepunch_to(0).size(), PeerConnection::k_max_holepunch_messages);
}

// A connect makes us dial at once over uTP only (uTP is off here, so each dial fails at once and
// says so); connects we did not ask for are limited, and one for a peer we are connected to is
// ignored.
TEST_F(TorrentPeersHolepunchTest, ConnectsAreDialedOverUtpWithinTheirLimit) {
    holepunch_from(0, message(wire::HolepunchType::connect, peer_at(1)));  // connected already
    EXPECT_TRUE(failures().empty());
    for (int n = 0; n < 12; ++n) {
        const tcp::endpoint target(asio::ip::make_address("198.51.100.200"), static_cast<std::uint16_t>(8000 + n));
        holepunch_from(n % 2, message(wire::HolepunchType::connect, target));
    }
    const auto failed = failures();
    ASSERT_EQ(failed.size(), HolepunchBook::k_max_unasked_connects);
    for (const auto& f : failed) EXPECT_NE(f.find("hole punch: uTP is off"), std::string::npos) << f;
}

TEST_F(TorrentPeersHolepunchTest, ARelaysErrorIsReportedAsAFailedConnection) {
    holepunch_from(1, message(wire::HolepunchType::error, listening(2), wire::HolepunchError::no_support));
    EXPECT_EQ(failures(), std::vector<std::string>{"198.51.100.12:7002 hole punch through 198.51.100.11:6881: that "
                                                   "peer does not support hole punching"});
}

}  // namespace
}  // namespace shoal
