// The announce_peer store: one entry per address, limits on torrents and peers, 30-minute
// expiry.

#include <gtest/gtest.h>

#include "discovery/dht/krpc.hpp"
#include "discovery/dht/peer_store.hpp"

namespace shoal::dht {
namespace {

SwarmHash hash(int n) {
    SwarmHash h;
    h.bytes[0] = static_cast<std::uint8_t>(n);
    h.bytes[1] = static_cast<std::uint8_t>(n >> 8);
    return h;
}

// Peer `n`: a host of its own (10.0.x.y or fd00::x:y), on port n.
Endpoint peer(int n, bool v6 = false) {
    const auto port = static_cast<unsigned short>(n);
    if (v6) {
        boost::asio::ip::address_v6::bytes_type bytes{};
        bytes[0] = 0xfd;
        bytes[14] = static_cast<std::uint8_t>(n >> 8);
        bytes[15] = static_cast<std::uint8_t>(n);
        return Endpoint(boost::asio::ip::make_address_v6(bytes), port);
    }
    return Endpoint(boost::asio::ip::make_address_v4(0x0a000000u + static_cast<unsigned>(n)), port);
}

Endpoint at(const char* address, int port) {
    return Endpoint(boost::asio::ip::make_address(address), static_cast<unsigned short>(port));
}

TEST(dht_peer_store, StoresAndExpires) {
    PeerStore store;
    std::mt19937_64 rng(1);
    const TimePoint t0{};
    EXPECT_TRUE(store.add(hash(1), peer(1000), t0));
    EXPECT_TRUE(store.add(hash(1), peer(1001, true), t0));
    EXPECT_EQ(store.get(hash(1), false, t0, rng), std::vector<Endpoint>{peer(1000)});
    EXPECT_EQ(store.get(hash(1), true, t0, rng), std::vector<Endpoint>{peer(1001, true)});
    EXPECT_TRUE(store.get(hash(2), false, t0, rng).empty());

    // A re-announce refreshes the peer.
    const auto t20 = t0 + std::chrono::minutes(20);
    EXPECT_TRUE(store.add(hash(1), peer(1000), t20));
    const auto t40 = t0 + std::chrono::minutes(40);
    EXPECT_EQ(store.get(hash(1), false, t40, rng).size(), 1u);
    EXPECT_TRUE(store.get(hash(1), true, t40, rng).empty());
    store.expire(t40);
    EXPECT_EQ(store.peer_count(hash(1)), 1u);
    store.expire(t20 + std::chrono::minutes(30));
    EXPECT_EQ(store.torrent_count(), 0u);
}

// One host cannot fill a torrent's slots with ports of its choosing (and so point whoever
// asks us at a third party): its last announce replaces its earlier ones.
TEST(dht_peer_store, OneEntryPerAddress) {
    PeerStore store;
    std::mt19937_64 rng(1);
    const TimePoint t0{};
    for (int port = 1; port <= 600; ++port) {
        EXPECT_TRUE(store.add(hash(1), at("198.51.100.7", port), t0));
        EXPECT_TRUE(store.add(hash(1), at("2001:db8::7", port), t0));
    }
    EXPECT_EQ(store.peer_count(hash(1)), 2u);
    EXPECT_EQ(store.get(hash(1), false, t0, rng), std::vector<Endpoint>{at("198.51.100.7", 600)});
    EXPECT_EQ(store.get(hash(1), true, t0, rng), std::vector<Endpoint>{at("2001:db8::7", 600)});

    // Other hosts still get in, and one host's entry per torrent is independent of others.
    EXPECT_TRUE(store.add(hash(1), peer(1), t0));
    EXPECT_TRUE(store.add(hash(2), at("198.51.100.7", 9), t0));
    EXPECT_EQ(store.peer_count(hash(1)), 3u);
    EXPECT_EQ(store.get(hash(2), false, t0, rng), std::vector<Endpoint>{at("198.51.100.7", 9)});

    // A new port also refreshes the entry: it lives 30 minutes from the last announce.
    const auto t20 = t0 + std::chrono::minutes(20);
    EXPECT_TRUE(store.add(hash(1), at("198.51.100.7", 7000), t20));
    const auto t40 = t0 + std::chrono::minutes(40);
    EXPECT_EQ(store.get(hash(1), false, t40, rng), std::vector<Endpoint>{at("198.51.100.7", 7000)});
    store.expire(t40);
    EXPECT_EQ(store.peer_count(hash(1)), 1u);
}

TEST(dht_peer_store, LimitsTorrentsAndPeers) {
    PeerStoreLimits limits;
    limits.max_torrents = 3;
    limits.max_peers_per_torrent = 4;
    limits.max_peers_per_reply = 2;
    PeerStore store(limits);
    std::mt19937_64 rng(1);
    const TimePoint t0{};
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(store.add(hash(i), peer(1), t0));
    EXPECT_FALSE(store.add(hash(9), peer(1), t0));
    EXPECT_EQ(store.torrent_count(), 3u);

    for (int p = 2; p <= 4; ++p)
        EXPECT_TRUE(store.add(hash(0), peer(p), t0));
    EXPECT_FALSE(store.add(hash(0), peer(5), t0));
    EXPECT_EQ(store.peer_count(hash(0)), 4u);
    EXPECT_EQ(store.get(hash(0), false, t0, rng).size(), 2u);

    // Once old peers have expired, newcomers (and new torrents) get in.
    const auto later = t0 + std::chrono::minutes(31);
    EXPECT_TRUE(store.add(hash(0), peer(5), later));
    EXPECT_TRUE(store.add(hash(9), peer(1), later));
}

TEST(dht_peer_store, FullRepliesFitOneDatagram) {
    PeerStoreLimits limits;
    limits.max_peers_per_torrent = 1000;
    PeerStore store(limits);
    std::mt19937_64 rng(1);
    const TimePoint t0{};
    for (int p = 1; p <= 300; ++p) {
        store.add(hash(1), peer(p), t0);
        store.add(hash(1), peer(p, true), t0);
    }
    for (bool v6 : {false, true}) {
        Message m;
        m.transaction_id = "abcd";
        m.external_ip = peer(1, v6);
        Response r;
        r.token = std::string(8, 't');
        r.values = store.get(hash(1), v6, t0, rng);
        EXPECT_EQ(r.values.size(), v6 ? 40u : 100u);
        for (int n = 0; n < 8; ++n)
            (v6 ? r.nodes6 : r.nodes).push_back(NodeEntry{NodeId{}, peer(n, v6)});
        m.body = r;
        EXPECT_LE(encode_message(m).size(), k_max_datagram) << (v6 ? "IPv6" : "IPv4");
    }
}

}  // namespace
}  // namespace shoal::dht
