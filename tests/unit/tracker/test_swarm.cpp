#include <gtest/gtest.h>

#include <map>
#include <set>

#include "test_util.hpp"
#include "tracker/swarm.hpp"

namespace shoal::tracker {
namespace {

using test::hash_of;
using test::v4;
using test::v6;

std::vector<PeerInfo> select_all(const Swarm& swarm, bool self_seeding, std::uint32_t not_before,
                                 std::uint64_t random = 0, FamilyMask families = {}) {
    std::vector<PeerInfo> out;
    swarm.select(v4(999, 999), self_seeding, 1000, families, not_before, random, out);
    return out;
}

TEST(Swarm, BothFamiliesSurviveMovesStopsAndExpiry) {
    Swarm swarm(hash_of(1));
    // Peer p is IPv4 when p is odd, IPv6 otherwise; every third starts as a seeder.
    auto endpoint = [](std::uint16_t p) {
        return p % 2 ? v4(p, p) : v6(static_cast<std::uint8_t>(p), p);
    };
    for (std::uint16_t p = 1; p <= 30; ++p)
        swarm.announce(endpoint(p), p % 3 == 0, AnnounceEvent::started, 100 + p);
    EXPECT_EQ(swarm.counts().seeders, 10u);
    EXPECT_EQ(swarm.counts().leechers, 20u);
    // 4 (v6) and 7 (v4) finish; 9 (v4) and 12 (v6) go back to leeching; 5 restarts with a
    // re-announces; 8 (v6) and 15 (v4) stop.
    for (std::uint16_t p : {4, 7})
        swarm.announce(endpoint(p), true, AnnounceEvent::completed, 200);
    for (std::uint16_t p : {9, 12})
        swarm.announce(endpoint(p), false, AnnounceEvent::none, 200);
    swarm.announce(endpoint(5), false, AnnounceEvent::started, 200);
    for (std::uint16_t p : {8, 15})
        swarm.announce(endpoint(p), p % 3 == 0, AnnounceEvent::stopped, 200);
    EXPECT_EQ(swarm.counts().completed, 2u);
    // Peers last seen before 120 expire: 1..19 unless they announced at 200.
    const SwarmDelta delta = swarm.expire(120);
    std::set<std::uint16_t> expected = {4, 5, 7, 9, 12};
    for (std::uint16_t p = 20; p <= 30; ++p)
        expected.insert(p);
    std::map<std::uint16_t, PeerInfo> seen;
    for (const auto& p : select_all(swarm, false, 0))
        seen[p.endpoint.port] = p;
    std::set<std::uint16_t> ports;
    for (const auto& [port, p] : seen) {
        ports.insert(port);
        EXPECT_EQ(p.endpoint, endpoint(port)) << port;
        EXPECT_EQ(p.peer_id, PeerId{}) << "peer ids are not kept";
    }
    EXPECT_EQ(ports, expected);
    const SwarmCounts c = swarm.counts();
    EXPECT_EQ(c.seeders + c.leechers, expected.size());
    // Seeders now: 4, 7, 21, 24, 27, 30.
    EXPECT_EQ(c.seeders, 6u);
    EXPECT_EQ(-delta.seeders - delta.leechers, 28 - static_cast<int>(expected.size()));
}

TEST(Swarm, SeedersGetLeechersOnlyAndFamiliesFilter) {
    Swarm swarm(hash_of(2));
    for (std::uint16_t p = 1; p <= 6; ++p)
        swarm.announce(p % 2 ? v4(p, p) : v6(static_cast<std::uint8_t>(p), p), p <= 3,
                       AnnounceEvent::none, 10);
    for (const auto& p : select_all(swarm, true, 0))
        EXPECT_GE(p.endpoint.port, 4) << "a seeder was given a seeder";
    const auto only_v6 = select_all(swarm, false, 0, 0, FamilyMask{false, true});
    ASSERT_EQ(only_v6.size(), 3u);
    for (const auto& p : only_v6)
        EXPECT_EQ(p.endpoint.address.family, Family::v6);
}

TEST(Swarm, ChoiceHasNoRepeatsAndStartsAtRandom) {
    Swarm swarm(hash_of(3));
    for (std::uint16_t p = 1; p <= 40; ++p)
        swarm.announce(p % 2 ? v4(p, p) : v6(static_cast<std::uint8_t>(p), p), false,
                       AnnounceEvent::none, 10);
    std::set<std::uint16_t> firsts;
    for (std::uint64_t random = 0; random < 40; ++random) {
        std::vector<PeerInfo> out;
        swarm.select(v4(1, 1), false, 25, {}, 0, random, out);
        ASSERT_EQ(out.size(), 25u);
        std::set<std::uint16_t> ports;
        for (const auto& p : out) {
            EXPECT_NE(p.endpoint.port, 1) << "the asking peer was returned";
            ports.insert(p.endpoint.port);
        }
        EXPECT_EQ(ports.size(), out.size()) << "duplicates";
        firsts.insert(out.front().endpoint.port);
    }
    EXPECT_GT(firsts.size(), 30u) << "scans do not start at random";
}

TEST(Swarm, BlockFollowsTheNumberOfPeers) {
    Swarm swarm(hash_of(4));
    swarm.announce(v4(1, 1), false, AnnounceEvent::none, 10);
    EXPECT_LE(swarm.block_bytes(), 56u) << "one IPv4 peer";
    for (std::uint16_t p = 2; p <= 2000; ++p)
        swarm.announce(v4(p, p), false, AnnounceEvent::none, 10);
    EXPECT_GE(swarm.block_bytes(), 2000u * 10u);
    EXPECT_LE(swarm.block_bytes(), 2000u * 10u * 5 / 4 + 128);
    for (std::uint16_t p = 11; p <= 2000; ++p)
        swarm.announce(v4(p, p), false, AnnounceEvent::stopped, 10);
    EXPECT_LE(swarm.block_bytes(), 400u) << "stopped peers' room kept";
    swarm.announce(v4(1, 1), false, AnnounceEvent::none, 50);
    swarm.expire(20);
    EXPECT_EQ(swarm.counts().leechers, 1u);
    EXPECT_LE(swarm.block_bytes(), 72u) << "expired peers' room kept";
}

}  // namespace
}  // namespace shoal::tracker
