// Routing table: bucket splits around our own id, one entry per address, node states,
// replacement cache and refresh, all with an injected clock.

#include <gtest/gtest.h>

#include "discovery/dht/routing_table.hpp"

namespace shoal::dht {
namespace {

using namespace std::chrono_literals;

const NodeId k_own = *NodeId::from_hex("8000000000000000000000000000000000000000");

// An id whose first byte is `first` and last byte `last`.
NodeId id(std::uint8_t first, std::uint8_t last = 0) {
    NodeId n;
    n.bytes[0] = first;
    n.bytes[19] = last;
    return n;
}

Endpoint at(int host, unsigned short port = 6881) {
    return Endpoint(boost::asio::ip::make_address_v4(0x7f000000u + static_cast<unsigned>(host)),
                    port);
}

TEST(dht_routing, SplitsOnlyAroundOwnId) {
    const TimePoint t{};
    RoutingTable table(k_own, t);
    // Eight nodes far from us (first bit differs: 0x00..0x07) fill the single bucket.
    for (int i = 0; i < 8; ++i)
        EXPECT_TRUE(table.on_contact({id(static_cast<std::uint8_t>(i)), at(i + 1)},
                                     RoutingTable::Seen::replied, t));
    EXPECT_EQ(table.bucket_count(), 1u);
    // A ninth far node splits the bucket (it holds our id), but lands in the far half, which
    // is full and cannot split: it goes to the replacement cache.
    EXPECT_FALSE(table.on_contact({id(0x10), at(20)}, RoutingTable::Seen::replied, t));
    EXPECT_EQ(table.bucket_count(), 2u);
    EXPECT_EQ(table.bucket_size(0), 8u);
    EXPECT_EQ(table.replacement_count(0), 1u);
    // Nodes close to us keep splitting the near bucket.
    for (int i = 0; i < 8; ++i)
        EXPECT_TRUE(table.on_contact({id(0x80, static_cast<std::uint8_t>(i + 1)), at(30 + i)},
                                     RoutingTable::Seen::replied, t));
    EXPECT_TRUE(table.on_contact({id(0xc0), at(50)}, RoutingTable::Seen::replied, t));
    EXPECT_GT(table.bucket_count(), 2u);
    EXPECT_EQ(table.size(), 17u);
    // Our own id is never added.
    EXPECT_FALSE(table.on_contact({k_own, at(99)}, RoutingTable::Seen::replied, t));
}

TEST(dht_routing, OneEntryPerAddressAndPerIpInABucket) {
    const TimePoint t{};
    RoutingTable table(k_own, t);
    EXPECT_TRUE(table.on_contact({id(0x01), at(1)}, RoutingTable::Seen::replied, t));
    // The same endpoint claiming another id is refused while the first is good.
    EXPECT_FALSE(table.on_contact({id(0x02), at(1)}, RoutingTable::Seen::replied, t));
    // Same IP, another port, same bucket: refused too.
    EXPECT_FALSE(table.on_contact({id(0x03), at(1, 7000)}, RoutingTable::Seen::replied, t));
    EXPECT_EQ(table.size(), 1u);
    EXPECT_EQ(table.find(at(1))->node.id, id(0x01));
    // One IP cannot fill a bucket with many ports.
    for (unsigned short port = 2000; port < 2100; ++port)
        table.on_contact({id(static_cast<std::uint8_t>(port & 0x3f), 1), at(2, port)},
                         RoutingTable::Seen::replied, t);
    EXPECT_LE(table.size(), 3u);
}

TEST(dht_routing, StatesFollowTheFifteenMinuteRule) {
    const TimePoint t{};
    RoutingLimits limits;
    RoutingTable table(k_own, t, limits);
    table.on_contact({id(0x01), at(1)}, RoutingTable::Seen::replied, t);
    table.on_contact({id(0x02), at(2)}, RoutingTable::Seen::queried, t);
    EXPECT_EQ(table.find(at(1))->state(t, limits), NodeState::good);
    // Never replied: questionable until it does.
    EXPECT_EQ(table.find(at(2))->state(t, limits), NodeState::questionable);
    const auto later = t + 16min;
    EXPECT_EQ(table.find(at(1))->state(later, limits), NodeState::questionable);
    // Having replied once, a recent query from it keeps it good.
    table.on_contact({id(0x01), at(1)}, RoutingTable::Seen::queried, later);
    EXPECT_EQ(table.find(at(1))->state(later, limits), NodeState::good);
    // Unanswered queries make a node bad.
    table.on_timeout(at(1), later);
    EXPECT_EQ(table.find(at(1))->state(later, limits), NodeState::good);
    table.on_timeout(at(1), later);
    EXPECT_EQ(table.find(at(1))->state(later, limits), NodeState::bad);
    // A reply clears the failure count.
    table.on_contact({id(0x01), at(1)}, RoutingTable::Seen::replied, later);
    EXPECT_EQ(table.find(at(1))->state(later, limits), NodeState::good);
    EXPECT_EQ(table.good_nodes(later).size(), 1u);
}

TEST(dht_routing, BadNodesGiveWayToReplacements) {
    const TimePoint t{};
    RoutingTable table(k_own, t);
    for (int i = 0; i < 8; ++i)
        table.on_contact({id(static_cast<std::uint8_t>(i)), at(i + 1)}, RoutingTable::Seen::replied,
                         t);
    table.on_contact({id(0x20), at(20)}, RoutingTable::Seen::replied, t);
    ASSERT_EQ(table.replacement_count(0), 1u);
    EXPECT_EQ(table.find(at(20)), nullptr);
    table.on_timeout(at(3), t);
    table.on_timeout(at(3), t);
    EXPECT_EQ(table.find(at(3)), nullptr);
    ASSERT_NE(table.find(at(20)), nullptr);
    EXPECT_EQ(table.replacement_count(0), 0u);
    // With no replacement waiting, a bad node is overwritten by the next newcomer.
    table.on_timeout(at(4), t);
    table.on_timeout(at(4), t);
    ASSERT_NE(table.find(at(4)), nullptr);
    EXPECT_TRUE(table.on_contact({id(0x21), at(21)}, RoutingTable::Seen::replied, t));
    EXPECT_EQ(table.find(at(4)), nullptr);
    // Replacement cache is bounded.
    for (int i = 0; i < 50; ++i)
        table.on_contact({id(static_cast<std::uint8_t>(0x30 + i)), at(100 + i)},
                         RoutingTable::Seen::replied, t);
    EXPECT_LE(table.replacement_count(0), 8u);
}

TEST(dht_routing, VerifiedIdsPushOutUnverifiedOnes) {
    const TimePoint t{};
    RoutingTable table(k_own, t);
    for (int i = 0; i < 8; ++i)
        table.on_contact({id(static_cast<std::uint8_t>(i)), at(i + 1)}, RoutingTable::Seen::replied,
                         t, i != 5);
    // Full far bucket: an unverified newcomer waits in the cache, a verified one replaces the
    // unverified entry, which moves to the cache.
    EXPECT_FALSE(table.on_contact({id(0x20), at(20)}, RoutingTable::Seen::replied, t, false));
    EXPECT_TRUE(table.on_contact({id(0x21), at(21)}, RoutingTable::Seen::replied, t, true));
    EXPECT_EQ(table.find(at(6)), nullptr);
    EXPECT_NE(table.find(at(21)), nullptr);
    EXPECT_EQ(table.replacement_count(0), 2u);
    // With every entry verified, the next verified newcomer waits too.
    EXPECT_FALSE(table.on_contact({id(0x22), at(22)}, RoutingTable::Seen::replied, t, true));
}

TEST(dht_routing, ClosestIsSortedByXorDistance) {
    const TimePoint t{};
    RoutingTable table(k_own, t);
    for (int i = 0; i < 8; ++i)
        table.on_contact({id(static_cast<std::uint8_t>(0x80 + i * 9), 1), at(i + 1)},
                         RoutingTable::Seen::replied, t);
    const NodeId target = id(0x90);
    const auto closest = table.closest(target, 3);
    ASSERT_EQ(closest.size(), 3u);
    EXPECT_TRUE(closer(target, closest[0].id, closest[1].id));
    EXPECT_TRUE(closer(target, closest[1].id, closest[2].id));
    EXPECT_EQ(closest[0].id, id(0x80 + 2 * 9, 1));
}

TEST(dht_routing, RefreshesBucketsUntouchedForFifteenMinutes) {
    const TimePoint t{};
    RoutingTable table(k_own, t);
    std::mt19937_64 rng(5);
    table.on_contact({id(0x01), at(1)}, RoutingTable::Seen::replied, t);
    EXPECT_TRUE(table.refresh_targets(t + 10min, rng).empty());
    const auto targets = table.refresh_targets(t + 16min, rng);
    ASSERT_EQ(targets.size(), 1u);
    EXPECT_EQ(table.bucket_index(targets[0]), 0u);
    // Refreshed now: not again until another period has passed.
    EXPECT_TRUE(table.refresh_targets(t + 20min, rng).empty());
    table.touch(id(0x05), t + 30min);
    EXPECT_TRUE(table.refresh_targets(t + 32min, rng).empty());
}

TEST(dht_routing, QuestionableNodesArePinged) {
    const TimePoint t{};
    RoutingTable table(k_own, t);
    table.on_contact({id(0x01), at(1)}, RoutingTable::Seen::replied, t);
    table.on_contact({id(0x02), at(2)}, RoutingTable::Seen::queried, t);
    auto ping = table.nodes_to_ping(t);
    ASSERT_EQ(ping.size(), 1u);
    EXPECT_EQ(ping[0].endpoint, at(2));
}

}  // namespace
}  // namespace shoal::dht
